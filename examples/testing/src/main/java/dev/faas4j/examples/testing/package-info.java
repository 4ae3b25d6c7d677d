/** An application that uses faas4j, and (in its tests) how to test it with the in-memory parts. */
package dev.faas4j.examples.testing;
