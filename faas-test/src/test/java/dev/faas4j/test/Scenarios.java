package dev.faas4j.test;

import java.util.Optional;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder.request;

/**
 * Runs a test class that uses the kit through the JUnit launcher, the way a user's build runs it, so
 * the kit's own tests can check what happened before, during and after it. Scenario classes are
 * nested classes marked {@code @ExtendWith(Scenarios.OnlyWhenLaunched.class)}: they run only from
 * here, not when the build discovers them.
 */
final class Scenarios {

  private static final String KEY = "faas4j.test.scenario";

  private Scenarios() {}

  /** Runs {@code testClass} and returns the summary of its tests. */
  static TestExecutionSummary run(Class<?> testClass) {
    LauncherDiscoveryRequest discovery = request().selectors(selectClass(testClass))
        .configurationParameter(KEY, "true").build();
    SummaryGeneratingListener listener = new SummaryGeneratingListener();
    LauncherFactory.create().execute(discovery, listener);
    return listener.getSummary();
  }

  /** Enables a scenario class only when {@link #run} launches it. */
  static final class OnlyWhenLaunched implements ExecutionCondition {
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
      Optional<String> launched = context.getConfigurationParameter(KEY);
      return launched.isPresent() ? ConditionEvaluationResult.enabled("launched by Scenarios.run")
          : ConditionEvaluationResult.disabled("a scenario of the kit's own tests; Scenarios.run launches it");
    }
  }
}
