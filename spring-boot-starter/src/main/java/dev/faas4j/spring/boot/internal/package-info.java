/**
 * The starter's wiring decisions, kept out of the auto-configuration classes: which store to build
 * ({@link dev.faas4j.spring.boot.internal.Stores}), which traffic, async and secret-key properties
 * reach the builder ({@link dev.faas4j.spring.boot.internal.TrafficSettings}), the conditions on the provider type and on
 * the admin API, and the health check with its one adapter per Spring Boot generation (Boot 3:
 * {@code org.springframework.boot.actuate.health}; Boot 4: {@code org.springframework.boot.health.contributor}).
 * Not API: may change in any release.
 */
package dev.faas4j.spring.boot.internal;
