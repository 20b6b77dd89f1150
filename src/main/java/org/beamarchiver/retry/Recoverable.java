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

  /**
   * SQL states that mean "the database is going away or not there yet" beyond class 08: a server
   * shutting down or starting (a failover), too many connections, a serialization failure or
   * deadlock (the transaction may simply be run again).
   */
  private static final Set<String> SQL_TRANSIENT = Set.of("57P01", "57P02", "57P03", "53300", "40001", "40P01");

  public static boolean is(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof Outage.GaveUpException) {
        return false; // an outage already ridden out as long as allowed
      }
      if (DRIVER_TRANSIENT.contains(c.getClass().getSimpleName())) {
        return true;
      }
      if (c instanceof SQLTransientException || c instanceof SQLRecoverableException) {
        return true;
      }
      if (c instanceof SQLException s && s.getSQLState() != null
          && (s.getSQLState().startsWith("08") || SQL_TRANSIENT.contains(s.getSQLState()))) {
        return true; // connection exception class, or the server going away
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
      int status = httpStatus(c);
      if (status == 408 || status == 429 || status >= 500) {
        return true; // an object store answering "later" (S3 503 SlowDown, Azure 500/503)
      }
    }
    return false;
  }

  /**
   * The HTTP status of an object store's service error (the AWS SDK's {@code statusCode()}, the
   * Azure SDK's {@code getStatusCode()}), or 0. Looked up by name so that this class depends on
   * neither SDK.
   */
  static int httpStatus(Throwable t) {
    for (String method : new String[] {"statusCode", "getStatusCode"}) {
      try {
        java.lang.reflect.Method m = t.getClass().getMethod(method);
        if (m.getReturnType() == int.class && m.getParameterCount() == 0) {
          return (int) m.invoke(t);
        }
      } catch (ReflectiveOperationException | RuntimeException e) {
        // no such method: not a service error
      }
    }
    return 0;
  }
}
