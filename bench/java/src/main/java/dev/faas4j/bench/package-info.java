/**
 * Benchmarks of faas4j (JMH) and the helpers {@code bench/run.sh} uses; not a library API.
 */
package dev.faas4j.bench;
