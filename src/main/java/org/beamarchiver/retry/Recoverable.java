package org.beamarchiver.retry;

import java.io.IOException;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.util.Set;

/**
 * Whether an error is worth retrying: timeouts, overload and lost connections of the source, the
 * store or the ledger. Anything else (a bad row, a refused request, a bug) fails at once.
 */
public final class Recoverable {
  /** Cassandra driver errors that say "later", not "never". */
  private static final Set<String> DRIVER_TRANSIENT =
      Set.of(
          "NoHostAvailableException",
          "OperationTimedOutException",
          "ReadTimeoutException",
          "WriteTimeoutException",
          "UnavailableException",
          "OverloadedException",
          "BusyConnectionException",
          "BusyPoolException",
          "ConnectionException",
          "TransportException",
          "BootstrappingException");

  private Recoverable() {}

  public static boolean is(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (DRIVER_TRANSIENT.contains(c.getClass().getSimpleName())) {
        return true;
      }
      if (c instanceof SQLTransientException || c instanceof SQLRecoverableException) {
        return true;
      }
      if (c instanceof SQLException s && s.getSQLState() != null && s.getSQLState().startsWith("08")) {
        return true; // connection exception class
      }
      if (c instanceof java.net.SocketTimeoutException
          || c instanceof java.net.ConnectException
          || c instanceof java.net.SocketException) {
        return true;
      }
      if (c instanceof IOException && c.getClass().getName().contains("Timeout")) {
        return true;
      }
      String name = c.getClass().getSimpleName();
      if (name.equals("SdkClientException") || name.equals("ApiCallTimeoutException")
          || name.equals("ApiCallAttemptTimeoutException")) {
        return true; // AWS SDK: network trouble and timeouts
      }
    }
    return false;
  }
}
