package org.beamarchiver.ledger;

import org.beamarchiver.sql.JdbcEndpoint;
import org.beamarchiver.support.TestServers;
import org.junit.jupiter.api.Test;

/**
 * {@link ExistingLedgerTest} on PostgreSQL (the production ledger): a ledger written by the code
 * before the split opens, reads and writes with the classes split by concern.
 */
class ExistingLedgerIT {
  @Test
  void anExistingPostgresLedgerIsReadAndWritten() throws Exception {
    ExistingLedgerTest.readAndWrite(new JdbcEndpoint(TestServers.newPostgresDatabase(), null, null));
  }
}
