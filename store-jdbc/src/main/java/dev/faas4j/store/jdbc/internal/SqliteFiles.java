package dev.faas4j.store.jdbc.internal;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import javax.sql.DataSource;
import org.sqlite.SQLiteConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteDataSource;

/**
 * Makes the {@link DataSource} of a store that owns its SQLite file. Kept apart so that
 * {@code sqlite-jdbc} is only loaded by stores that use it.
 */
public final class SqliteFiles {

  private SqliteFiles() {}

  private static final Logger LOG = LoggerFactory.getLogger(SqliteFiles.class);
  private static final Set<PosixFilePermission> OWNER_ONLY =
      EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
  private static final Set<PosixFilePermission> OWNER_ONLY_DIRECTORY = EnumSet.of(
      PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE);

  /**
   * A data source for {@code file}, creating its parent directories. The database holds function
   * code and env values, so on a POSIX file system the file is readable by its owner only (mode
   * 600; SQLite gives its {@code -wal} and {@code -shm} files the same mode), an existing file is
   * narrowed to that, and directories created for it are owner-only (700). Every connection it opens
   * uses WAL mode, the given busy timeout, enforced foreign keys and {@code synchronous=FULL}
   * (a commit is on disk before it returns, so it also survives a power cut, not only a crash).
   *
   * @throws SQLException if the parent directory or the file cannot be created
   */
  public static DataSource dataSource(Path file, Duration busyTimeout) throws SQLException {
    Path absolute = file.toAbsolutePath().normalize();
    Path parent = absolute.getParent();
    try {
      boolean posix = absolute.getFileSystem().supportedFileAttributeViews().contains("posix");
      if (parent != null && !Files.isDirectory(parent)) {
        if (posix) {
          Files.createDirectories(parent, PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIRECTORY));
        } else {
          Files.createDirectories(parent);
        }
      }
      if (posix) {
        ownerOnly(absolute);
      }
    } catch (IOException e) {
      throw new SQLException("cannot create the directory " + parent + " for the faas4j SQLite database: "
          + e.getMessage() + "; choose a writable location for the store file", e);
    }
    SQLiteConfig config = new SQLiteConfig();
    config.setJournalMode(SQLiteConfig.JournalMode.WAL);
    config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
    config.setBusyTimeout((int) Math.min(Integer.MAX_VALUE, busyTimeout.toMillis()));
    config.enforceForeignKeys(true);
    SQLiteDataSource dataSource = new SQLiteDataSource(config);
    dataSource.setUrl("jdbc:sqlite:" + absolute);
    return dataSource;
  }

  /** Creates {@code file} with mode 600, or narrows an existing one (and its WAL files) to it. */
  private static void ownerOnly(Path file) throws IOException {
    try {
      Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
      return;
    } catch (FileAlreadyExistsException e) {
      // narrowed below
    }
    for (Path each : List.of(file, file.resolveSibling(file.getFileName() + "-wal"),
        file.resolveSibling(file.getFileName() + "-shm"))) {
      try {
        if (Files.exists(each) && !Files.getPosixFilePermissions(each).equals(OWNER_ONLY)) {
          Files.setPosixFilePermissions(each, OWNER_ONLY);
        }
      } catch (IOException e) {
        LOG.warn("cannot make {} readable by its owner only ({}); other local users may read function code and"
            + " env values in it", each, e.toString());
      }
    }
  }

  /** Warns when the database does not run in WAL mode (e.g. on a file system without shared memory). */
  public static void checkWal(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery("PRAGMA journal_mode")) {
      String mode = rs.next() ? rs.getString(1) : "unknown";
      if (!"wal".equalsIgnoreCase(mode)) {
        LOG.warn("the faas4j SQLite database runs in journal mode {} instead of WAL (is it on a file system"
            + " without shared memory?); readers and writers will block each other", mode);
      }
    }
  }
}
