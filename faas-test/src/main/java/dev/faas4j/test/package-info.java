/**
 * The faas4j test kit: {@link dev.faas4j.test.FaasExtension}, a JUnit 5 extension that gives each
 * test a fresh {@code Faas} (in memory, or on real workerd) and closes it with every process and
 * temporary directory after the test; and {@link dev.faas4j.test.FunctionClient}, which calls
 * functions by {@code Host} header, which the JDK's own HTTP client drops. Everything else in this
 * package is package-private.
 */
package dev.faas4j.test;
