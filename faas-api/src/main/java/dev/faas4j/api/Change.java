package dev.faas4j.api;

import java.time.Instant;
import java.util.Objects;

/**
 * One committed change in a {@link FunctionStore}'s change feed, numbered by a store-wide
 * revision (not a function's own {@link FunctionState#revision()}).
 *
 * <p>Which of {@code version} and {@code alias} are present depends on the kind, as each
 * {@link Kind} says; the constructor checks it.
 *
 * @param revision the store-wide revision of this change, 1 or more
 * @param function the function's key (its lower-case name, {@link FunctionState#key()})
 * @param kind what happened
 * @param version the version concerned, or null for kinds that have none
 * @param alias the alias concerned, or null for kinds that have none
 * @param at when the store recorded it, by the writing node's clock (informational only: order
 *     changes by {@code revision})
 */
public record Change(long revision, String function, Kind kind, String version, String alias, Instant at) {

  /**
   * What a change is. Names are stable (stores persist them); new kinds are added over time, so a
   * consumer must not assume this list is complete and must treat a kind it does not handle by
   * reloading the function.
   *
   * <p>One {@link FunctionStore#save save} can record several changes, in this order:
   * {@code DEPLOYED} (each new version, in the state's order), {@code LATEST_MOVED},
   * {@code ALIAS_SET} and then {@code ALIAS_REMOVED} (each by alias name), {@code VERSION_DELETED}
   * (by version name). A save that changes none of these (same versions, aliases and latest)
   * records nothing.
   */
  public enum Kind {
    /** A version was added, or replaced with different content. {@code version}: that version. */
    DEPLOYED(true, false, true),
    /** {@code latest} now names {@code version} (also recorded when a function is created). */
    LATEST_MOVED(true, false, true),
    /**
     * {@code alias} was created, now points at {@code version}, or had its weights changed
     * ({@link FunctionState#splits()}); for a weighted alias {@code version} is its primary version.
     */
    ALIAS_SET(true, true, true),
    /** {@code alias} was removed; {@code version} is the version it pointed at. */
    ALIAS_REMOVED(true, true, true),
    /** {@code version} was dropped from the function's kept versions. */
    VERSION_DELETED(true, false, true),
    /** The whole function was deleted. No version, no alias. */
    FUNCTION_DELETED(false, false, true),
    /**
     * The running instances of {@code version} were stopped. Not a change of state: recorded
     * with {@link FunctionStore#announce}.
     */
    VERSION_STOPPED(true, false, false),
    /**
     * A secret of the function was set or deleted (which one is not recorded). Not a change of
     * state: recorded with {@link FunctionStore#announce}. Nodes pass the new values to the running
     * versions of the function.
     */
    SECRETS_CHANGED(false, false, false);

    private final boolean hasVersion;
    private final boolean hasAlias;
    private final boolean stateChange;

    Kind(boolean hasVersion, boolean hasAlias, boolean stateChange) {
      this.hasVersion = hasVersion;
      this.hasAlias = hasAlias;
      this.stateChange = stateChange;
    }

    /** Whether a change of this kind names a version. */
    public boolean hasVersion() {
      return hasVersion;
    }

    /** Whether a change of this kind names an alias. */
    public boolean hasAlias() {
      return hasAlias;
    }

    /**
     * Whether this kind is recorded by {@code save} or {@code delete} (a change of
     * {@link FunctionState}) rather than announced with {@link FunctionStore#announce}.
     */
    public boolean isStateChange() {
      return stateChange;
    }
  }

  /**
   * Checks the fields.
   *
   * @throws IllegalArgumentException if {@code revision < 1}, or {@code version}/{@code alias}
   *     is missing where the kind needs it or present where it has none
   * @throws FaasException with reason {@code INVALID_REQUEST} if the function, version or alias
   *     name is not a DNS label
   */
  public Change {
    if (revision < 1) {
      throw new IllegalArgumentException("a change's revision is at least 1: " + revision);
    }
    function = Validation.canonical(Validation.requireLabel("function name", function));
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(at, "at");
    version = checkPart(kind, "version", version, kind.hasVersion());
    alias = checkPart(kind, "alias", alias, kind.hasAlias());
  }

  private static String checkPart(Kind kind, String what, String value, boolean expected) {
    if (expected != (value != null)) {
      throw new IllegalArgumentException("a change of kind " + kind + (expected ? " needs " : " has no ") + what
          + (value == null ? "" : ": " + Validation.abbreviate(value)));
    }
    return value == null ? null : Validation.canonical(Validation.requireLabel(what, value));
  }
}
