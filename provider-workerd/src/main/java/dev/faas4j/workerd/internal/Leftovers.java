package dev.faas4j.workerd.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a crashed earlier run left in a data dir, and its removal, kept off the path of the first
 * requests.
 *
 * <p>{@link #clear} does only what must come before the provider starts anything: it kills every
 * leftover workerd at once with SIGKILL (its gateway is gone, so nobody reaches it and nothing it
 * holds is worth a graceful stop) and moves every version directory the earlier run wrote into
 * {@value #TRASH_DIR}, so a version can be deployed again at once. Before the kill, the processes
 * are moved into a group with next to no CPU weight ({@link Cgroups#deprioritize}, cgroup v1), so
 * that their exit does not slow this run's start. A kill and a rename are a system
 * call each: with 110 leftovers this part takes milliseconds. Waiting for the killed processes to
 * exit, then removing their cgroups (which the kernel refuses while a process is in them) and
 * deleting their directories happens on a thread of its own. The cgroups of new processes are
 * numbered apart from the leftovers' ({@link Cgroups#create}), so the two never meet. (Before, leftovers were
 * stopped gracefully one after another, about 1.75 s each: a restart with 121 of them held every
 * request for 211 s.)
 *
 * <p>A run that crashes while clearing leaves the trash behind; the next {@link #clear} empties it.
 */
public final class Leftovers {

  /** Where version directories of a crashed run wait to be deleted, under the data dir's root. */
  public static final String TRASH_DIR = ".leftovers";

  private static final Logger LOG = LoggerFactory.getLogger(Leftovers.class);

  private final List<ProcessHandle> killed;
  private final Thread remover;

  private Leftovers(List<ProcessHandle> killed, Thread remover) {
    this.killed = killed;
    this.remover = remover;
  }

  /**
   * Kills the leftovers of {@code dataDir} and moves their directories aside, then starts removing
   * them and the leftover groups of {@code cgroups} in the background (waiting at most {@code
   * exitWait} for the killed processes to exit). Call it before the provider creates a group.
   */
  public static Leftovers clear(DataDir dataDir, Cgroups cgroups, Duration exitWait) throws IOException {
    Path root = dataDir.root();
    Path trash = root.resolve(TRASH_DIR);
    Freezer.thawGroups(cgroups.leftovers()); // a frozen group would hold its process's KILL back
    List<Path> versionDirs = new ArrayList<>();
    List<ProcessHandle> killed = new ArrayList<>();
    for (Path functionDir : DataDir.children(root)) {
      if (!Files.isDirectory(functionDir) || functionDir.getFileName().toString().startsWith(".")) {
        continue;
      }
      for (Path versionDir : DataDir.children(functionDir)) {
        if (Files.isRegularFile(versionDir.resolve(ConfigWriter.MARKER_FILE))) { // else not this provider's
          versionDirs.add(versionDir);
          DataDir.leftoverPid(versionDir).flatMap(ProcessHandle::of).ifPresent(killed::add);
        }
      }
    }
    // their teardown (freeing ~50 MB each) would otherwise take the CPU this run starts with
    Optional<Path> exiting = cgroups.deprioritize(killed.stream().map(ProcessHandle::pid).toList());
    for (ProcessHandle process : killed) {
      LOG.debug("killing workerd pid {} left behind by a previous run", process.pid());
      process.destroyForcibly();
    }
    if (!versionDirs.isEmpty()) {
      OwnerOnlyFiles.createDirectories(trash);
    }
    int moved = 0;
    for (Path versionDir : versionDirs) {
      Path functionDir = versionDir.getParent();
      Path aside = trash.resolve(functionDir.getFileName() + "." + versionDir.getFileName() + "." + moved++);
      Files.move(versionDir, aside, StandardCopyOption.ATOMIC_MOVE);
      DataDir.deleteIfEmpty(functionDir);
    }
    List<Path> groups = new ArrayList<>(cgroups.leftovers());
    exiting.ifPresent(groups::add); // removed with the others once the processes are gone
    if (!Files.isDirectory(trash) && groups.isEmpty()) {
      return new Leftovers(List.of(), null);
    }
    Thread remover = new Thread(() -> remove(killed, cgroups, groups, trash, exitWait), "faas4j-workerd-leftovers");
    remover.setDaemon(true);
    remover.start();
    return new Leftovers(List.copyOf(killed), remover);
  }

  /** The pids killed by {@link #clear}. */
  public List<Long> killedPids() {
    return killed.stream().map(ProcessHandle::pid).toList();
  }

  /** Waits, at most {@code max}, until the leftovers' directories are deleted. */
  public void awaitRemoved(Duration max) {
    if (remover == null) {
      return;
    }
    try {
      remover.join(max.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void remove(List<ProcessHandle> killed, Cgroups cgroups, List<Path> groups, Path trash,
      Duration exitWait) {
    CompletableFuture<?>[] exits = killed.stream().map(ProcessHandle::onExit).toArray(CompletableFuture[]::new);
    try {
      CompletableFuture.allOf(exits).get(exitWait.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException | ExecutionException e) {
      killed.stream().filter(ProcessHandle::isAlive).forEach(process ->
          LOG.warn("workerd pid {} is still there {} after SIGKILL", process.pid(), exitWait));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    List<Path> removed = cgroups.removeLeftovers(groups);
    if (!removed.isEmpty()) {
      LOG.warn("removed {} cgroup(s) left behind by a previous run, e.g. {}", removed.size(), firstFew(removed));
    }
    if (!Files.isDirectory(trash)) {
      return;
    }
    try {
      DataDir.deleteTree(trash);
    } catch (IOException e) {
      LOG.warn("could not delete the leftovers in {}: {}", trash, e.toString());
    }
  }

  /** The first few of a list that may hold hundreds, for a log line that stays one line. */
  public static String firstFew(List<?> all) {
    int shown = Math.min(all.size(), 3);
    return all.subList(0, shown) + (all.size() > shown ? " and " + (all.size() - shown) + " more" : "");
  }
}
