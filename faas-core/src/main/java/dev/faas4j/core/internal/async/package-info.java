/**
 * Asynchronous invocations: {@link dev.faas4j.core.internal.async.AsyncCalls} recognises them
 * ({@code /async-function/...} or {@code X-Faas4j-Async: true}), commits each to the store's
 * {@link dev.faas4j.api.CallQueue} before answering 202, and answers {@code GET /api/calls/{id}};
 * {@link dev.faas4j.core.internal.async.CallWorkers} claims due calls and runs them through the
 * function path ({@code routing.Invoker}) with retries; {@code Callbacks} posts answers to callback
 * URLs that {@link dev.faas4j.core.internal.async.CallbackGuard} found public.
 *
 * <p>Uses routing (to run a call), control (to check a function exists, store calls), proxy (to
 * read a request whole) and the store through faas-api. Delivery is at least once.
 */
package dev.faas4j.core.internal.async;
