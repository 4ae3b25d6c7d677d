/**
 * A {@link dev.faas4j.api.FunctionStore} on JDBC: {@link dev.faas4j.store.jdbc.JdbcFunctionStore},
 * on an embedded SQLite file or on PostgreSQL. Everything under {@code internal} is not API.
 */
package dev.faas4j.store.jdbc;
