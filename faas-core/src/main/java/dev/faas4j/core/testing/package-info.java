/**
 * In-memory parts for tests: {@link dev.faas4j.core.testing.InMemoryProvider} serves functions
 * written as Java lambdas, {@link dev.faas4j.core.testing.InMemoryStore} keeps state in a map.
 *
 * <p>With them an application tests its use of faas4j (routing, versions, aliases, rollback, idle
 * suspension) in milliseconds, with no process and no database. They follow the same contracts
 * as the real providers and stores, and use nothing of faas-core but faas-api.
 */
package dev.faas4j.core.testing;
