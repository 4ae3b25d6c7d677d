package dev.faas4j.spring.boot.internal;

import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.util.StringUtils;

/**
 * Whether the admin API is served: {@code faas4j.admin.enabled} when it is set, else whether
 * {@code faas4j.admin.token} is. Setting the token is asking for the admin API; nothing else
 * turns it on.
 */
public final class OnAdminEnabled extends SpringBootCondition {

  @Override
  public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
    return outcome(Binder.get(context.getEnvironment()));
  }

  /** Whether the properties {@code binder} reads ask for the admin API. */
  public static boolean enabled(Binder binder) {
    return outcome(binder).isMatch();
  }

  private static ConditionOutcome outcome(Binder binder) {
    Boolean enabled = binder.bind("faas4j.admin.enabled", Boolean.class).orElse(null);
    if (enabled != null) {
      return new ConditionOutcome(enabled, "faas4j.admin.enabled is " + enabled);
    }
    boolean token = StringUtils.hasText(binder.bind("faas4j.admin.token", String.class).orElse(null));
    return new ConditionOutcome(token, token ? "faas4j.admin.token is set" : "neither faas4j.admin.enabled nor"
        + " faas4j.admin.token is set");
  }
}
