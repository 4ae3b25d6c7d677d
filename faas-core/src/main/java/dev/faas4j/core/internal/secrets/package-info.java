/**
 * Secrets: values a function reads as env vars that are never shown back. {@link
 * dev.faas4j.core.internal.secrets.Secrets} sets, deletes and lists them (names only) and seals
 * each value with {@link dev.faas4j.core.internal.secrets.Sealer} (AES-256-GCM) before the store sees
 * it; {@link dev.faas4j.core.internal.secrets.SecretEnv} wraps each provider so that the versions it
 * deploys get the clear values, and hands rotated values to running versions.
 *
 * <p>Uses the store and providers through faas-api only; knows nothing of HTTP, routing or the
 * control plane. No log line or message here contains a value.
 */
package dev.faas4j.core.internal.secrets;
