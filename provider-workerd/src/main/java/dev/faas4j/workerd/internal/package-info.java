/**
 * Implementation of the workerd provider: binary lookup (and extraction from the workerd-runtime
 * jar), config generation (with the console module that marks warn and error lines, read back by
 * ConsoleMarks), process handling and the data directory. Not an API: anything here may
 * change without notice.
 */
package dev.faas4j.workerd.internal;
