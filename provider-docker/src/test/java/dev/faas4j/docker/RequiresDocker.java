package dev.faas4j.docker;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Disables a test class, with the reason, when no Docker engine (or no busybox) is available,
 * except under {@code CI=true}, where the class runs and fails in its {@code @BeforeAll}.
 */
public final class RequiresDocker implements ExecutionCondition {

  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    if ("true".equals(System.getenv("CI"))) {
      return ConditionEvaluationResult.enabled("CI=true: a missing engine fails the tests");
    }
    String why = TestEngine.whyUnavailable();
    return why == null ? ConditionEvaluationResult.enabled("Docker engine available")
        : ConditionEvaluationResult.disabled(why);
  }
}
