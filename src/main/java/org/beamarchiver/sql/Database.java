package org.beamarchiver.sql;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Where units of SQL work run, each ridden through an outage of the database: a {@link
 * JdbcEndpoint} (a connection per unit) or its {@link JdbcEndpoint.Reused} (one kept connection).
 */
public interface Database {
  /** One unit of work on an open connection. */
  @FunctionalInterface
  interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  /**
   * Runs one unit of work; a lost or refused connection, or the server going away, is retried on
   * a new connection through the outage budget. The work must leave its transaction committed or
   * rolled back, and must be safe to run again after an attempt whose commit answer was lost.
   *
   * @param what what the work does, for the log and the error when the outage outlasts the budget
   */
  <T> T call(String what, Work<T> work) throws SQLException;

  /**
   * {@link #call} with the work in one transaction, retried after a unique-key violation up to
   * {@link Sql#UNIQUE_VIOLATION_RETRIES} times; see {@link Sql#inTransaction}.
   */
  default <T> T transaction(String what, Work<T> work) throws SQLException {
    return transaction(what, Sql.UNIQUE_VIOLATION_RETRIES, work);
  }

  /** {@link #call} with the work in one transaction; see {@link Sql#inTransaction}. */
  default <T> T transaction(String what, int uniqueViolationRetries, Work<T> work) throws SQLException {
    return call(what, c -> Sql.inTransaction(c, uniqueViolationRetries, work));
  }
}
