/**
 * A Spring Boot web application that carries its own functions-as-a-service platform through
 * {@code faas4j-spring-boot-starter} and one property ({@code faas4j.admin.token}): its own
 * controller ({@link dev.faas4j.examples.springboot.HelloController}, {@code /api/hello}) answers
 * next to function traffic (by Host) and the admin API ({@code /faas4j/api/}).
 */
package dev.faas4j.examples.springboot;
