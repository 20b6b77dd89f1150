package org.beamarchiver.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.beamarchiver.sql.JdbcEndpoint;
import org.junit.jupiter.api.Test;

/** The launch skips Flyway only when the schema is already at the newest migration. */
class LedgerMigrateTest {
  @Test
  void latestVersionIsTheNewestMigrationFile() throws Exception {
    URL dir = getClass().getClassLoader().getResource("db/migration");
    Pattern v = Pattern.compile("V(\\d+)__.*\\.sql");
    int newest = 0;
    try (Stream<Path> files = Files.list(Path.of(dir.toURI()))) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Matcher m = v.matcher(f.getFileName().toString());
        if (m.matches()) {
          newest = Math.max(newest, Integer.parseInt(m.group(1)));
        }
      }
    }
    assertTrue(newest > 0, "no migrations found under " + dir);
    assertEquals(newest, Ledger.LATEST_VERSION, "Ledger.LATEST_VERSION must name the newest migration");
  }

  @Test
  void currentOnlyAfterEveryMigrationSucceeded() throws Exception {
    JdbcEndpoint db = new JdbcEndpoint("jdbc:h2:mem:migrate-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1", null, null);
    Ledger ledger = new Ledger(db);
    assertFalse(ledger.current(), "an empty database is not current");
    ledger.migrate();
    assertTrue(ledger.current());
    ledger.migrate(); // current: nothing runs, nothing breaks
    assertTrue(ledger.current());
    try (Connection c = db.open(); Statement s = c.createStatement()) {
      assertEquals(1, s.executeUpdate("UPDATE \"archiver_schema_history\" SET \"success\" = FALSE WHERE \"version\" = '8'"));
    }
    assertFalse(ledger.current(), "a failed migration leaves the decision to Flyway");
    try (Connection c = db.open(); Statement s = c.createStatement()) {
      s.executeUpdate("UPDATE \"archiver_schema_history\" SET \"success\" = TRUE WHERE \"version\" = '8'");
      s.executeUpdate("DELETE FROM \"archiver_schema_history\" WHERE \"version\" = '8'");
      s.executeUpdate("ALTER TABLE archival_metadata DROP COLUMN family_files");
      s.executeUpdate("ALTER TABLE archival_history DROP COLUMN family_files");
    }
    assertFalse(ledger.current(), "a schema behind the newest migration is not current");
    ledger.migrate(); // Flyway runs V8 again
    assertTrue(ledger.current());
    try (Connection c = db.open(); Statement s = c.createStatement()) {
      s.executeUpdate("ALTER TABLE archival_metadata DROP COLUMN family_files"); // fails if V8 did not run again
    }
  }
}
