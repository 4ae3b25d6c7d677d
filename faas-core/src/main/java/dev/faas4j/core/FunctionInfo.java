package dev.faas4j.core;

import java.util.List;
import java.util.Map;

/**
 * A function as {@link Faas#describe(String)} and {@link Faas#list()} report it.
 *
 * @param name its name, in the spelling it was first deployed with
 * @param latest the version its bare host serves
 * @param aliases alias to version
 * @param revision how many changes it has had (grows by one with each)
 * @param versions every kept version, oldest first
 */
public record FunctionInfo(
    String name, String latest, Map<String, String> aliases, long revision, List<VersionInfo> versions) {}
