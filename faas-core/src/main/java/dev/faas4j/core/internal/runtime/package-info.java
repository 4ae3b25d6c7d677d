/**
 * Versions as they run in this JVM: {@link dev.faas4j.core.internal.runtime.Instances} keeps one
 * state machine per version (starting, running, frozen, suspended, stopped, failed) and coordinates
 * starts; {@link dev.faas4j.core.internal.runtime.IdlePolicy} decides what idle versions become
 * (frozen first where the provider can freeze, suspended after a longer idle or over a memory
 * budget) and thaws a frozen one on its next request; {@link dev.faas4j.core.internal.runtime.Maintenance}
 * runs its passes and the autoscaler ({@code Autoscaling} applies what {@code Autoscaler} decides
 * from each version's {@code ConcurrencyMeter}); {@code LeastOutstanding} spreads a version's
 * requests over its ready replicas;
 * {@link dev.faas4j.core.internal.runtime.Admission} bounds the requests each version (its
 * {@code maxConcurrency}) and the whole node serve at once, with a first-come, first-served line.
 *
 * <p>Uses only faas-api (the providers); it does not know the store, routing or HTTP.
 */
package dev.faas4j.core.internal.runtime;
