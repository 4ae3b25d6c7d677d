/**
 * The workerd function provider: each deployed JavaScript version runs as its own
 * {@code workerd serve} process on a loopback port. Start with
 * {@link dev.faas4j.workerd.WorkerdProvider#builder()}.
 *
 * <p>Everything under {@code dev.faas4j.workerd.internal} is implementation and may change
 * without notice.
 */
package dev.faas4j.workerd;
