/**
 * faas-core's implementation: the registry of committed state, the router, the per-version
 * lifecycle ({@code Instances}) and JSON helpers. Not an API: it may change in any release.
 */
package dev.faas4j.core.internal;
