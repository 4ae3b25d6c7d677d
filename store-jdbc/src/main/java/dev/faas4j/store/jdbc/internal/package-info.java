/**
 * Implementation of the JDBC store: SQL dialects, schema migrations, row encoding, input checks.
 * Not API: anything here may change in any release.
 */
package dev.faas4j.store.jdbc.internal;
