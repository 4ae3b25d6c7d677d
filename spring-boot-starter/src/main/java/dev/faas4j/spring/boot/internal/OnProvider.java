package dev.faas4j.spring.boot.internal;

import dev.faas4j.spring.boot.FaasProperties.ProviderType;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Conditions on {@code faas4j.provider}, bound the way {@code FaasProperties} binds it (so
 * {@code in-memory}, {@code IN_MEMORY} and {@code inMemory} all mean the same); unset means workerd.
 */
public abstract class OnProvider extends SpringBootCondition {

  private final ProviderType expected;

  OnProvider(ProviderType expected) {
    this.expected = expected;
  }

  @Override
  public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
    ProviderType configured = Binder.get(context.getEnvironment())
        .bind("faas4j.provider", ProviderType.class).orElse(ProviderType.WORKERD);
    String message = "faas4j.provider is " + configured;
    return configured == expected ? ConditionOutcome.match(message) : ConditionOutcome.noMatch(message);
  }

  /** Matches when {@code faas4j.provider} is {@code workerd} or unset. */
  public static final class Workerd extends OnProvider {
    public Workerd() {
      super(ProviderType.WORKERD);
    }
  }

  /** Matches when {@code faas4j.provider} is {@code in-memory}. */
  public static final class InMemory extends OnProvider {
    public InMemory() {
      super(ProviderType.IN_MEMORY);
    }
  }
}
