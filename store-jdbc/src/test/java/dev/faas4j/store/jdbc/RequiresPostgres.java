package dev.faas4j.store.jdbc;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Disables a PostgreSQL test class, test by test and with the reason in the report, when
 * {@code FAAS4J_TEST_PG_URL} is not set, except under {@code CI=true}: there the tests run and fail
 * in {@link PostgresTestDatabase#serverUrl()}.
 */
final class RequiresPostgres implements ExecutionCondition {

  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    String url = System.getenv(PostgresTestDatabase.URL_VARIABLE);
    if ((url == null || url.isBlank()) && !"true".equalsIgnoreCase(System.getenv("CI"))) {
      return ConditionEvaluationResult.disabled(PostgresTestDatabase.URL_VARIABLE
          + " is not set: skipping PostgreSQL tests; run `eval \"$(.ci/postgres.sh start)\"` to run them");
    }
    return ConditionEvaluationResult.enabled("PostgreSQL configured, or CI=true");
  }
}
