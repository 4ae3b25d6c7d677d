/**
 * Implementation of the workerd provider: binary lookup, config generation, process handling
 * and the data directory. Not an API: anything here may change without notice.
 */
package dev.faas4j.workerd.internal;
