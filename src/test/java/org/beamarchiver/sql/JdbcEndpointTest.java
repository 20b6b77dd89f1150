package org.beamarchiver.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Paths;
import org.junit.jupiter.api.Test;

class JdbcEndpointTest {
  private static final String CWD = Paths.get("").toAbsolutePath().toString();

  @Test
  void relativeH2FilesBecomeAbsolute() {
    assertEquals("jdbc:h2:file:" + CWD + "/beam-archiver-ledger;DB_CLOSE_DELAY=-1;WRITE_DELAY=0;AUTO_SERVER=TRUE", JdbcEndpoint.absoluteH2("jdbc:h2:file:./beam-archiver-ledger"));
    assertEquals("jdbc:h2:file:" + CWD + "/target/x;MODE=PostgreSQL;DB_CLOSE_DELAY=-1;WRITE_DELAY=0;AUTO_SERVER=TRUE", JdbcEndpoint.absoluteH2("jdbc:h2:file:target/x;MODE=PostgreSQL"));
    assertEquals("jdbc:h2:" + CWD + "/l;DB_CLOSE_DELAY=-1;WRITE_DELAY=0;AUTO_SERVER=TRUE", JdbcEndpoint.absoluteH2("jdbc:h2:l"));
  }

  @Test
  void otherUrlsAreKept() {
    assertEquals("jdbc:h2:mem:x;DB_CLOSE_DELAY=-1", JdbcEndpoint.absoluteH2("jdbc:h2:mem:x"));
    assertEquals("jdbc:h2:file:/abs/l;DB_CLOSE_DELAY=-1;WRITE_DELAY=0;AUTO_SERVER=TRUE", JdbcEndpoint.absoluteH2("jdbc:h2:file:/abs/l"));
    assertEquals("jdbc:h2:tcp://host/l", JdbcEndpoint.absoluteH2("jdbc:h2:tcp://host/l"));
    assertEquals("jdbc:postgresql://h:5432/db", JdbcEndpoint.absoluteH2("jdbc:postgresql://h:5432/db"));
  }
}
