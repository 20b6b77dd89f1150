package org.beamarchiver.options;

import com.fasterxml.jackson.annotation.JsonIgnore;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;

/** How to reach the Cassandra cluster that holds the live table (and how long it may be gone). */
public interface CassandraSourceOptions extends OutageOptions {
  @Description("Comma-separated Cassandra contact points.")
  @Default.String("127.0.0.1")
  String getCassandraHosts();

  void setCassandraHosts(String value);

  @Description("Cassandra native (CQL) port.")
  @Default.Integer(9042)
  Integer getCassandraPort();

  void setCassandraPort(Integer value);

  @Description("Local data center name for the load-balancing policy.")
  @Default.String("datacenter1")
  String getCassandraLocalDc();

  void setCassandraLocalDc(String value);

  @Description("Cassandra user name (optional).")
  String getCassandraUsername();

  void setCassandraUsername(String value);

  @Description(
      "Cassandra password (optional). Prefer the CASSANDRA_PASSWORD environment variable:"
          + " a command line is visible to other users of the machine. Never logged.")
  @JsonIgnore
  String getCassandraPassword();

  void setCassandraPassword(String value);

  @Description(
      "Consistency level of every read and write: ONE, LOCAL_ONE, LOCAL_QUORUM, QUORUM, EACH_QUORUM,"
          + " ALL, ... delete and restore refuse anything weaker than LOCAL_QUORUM (their guard needs"
          + " reads and writes that meet); use EACH_QUORUM or QUORUM when the application writes in"
          + " several data centres. The archive may read at a weaker level.")
  @Default.String("LOCAL_QUORUM")
  String getCassandraConsistency();

  void setCassandraConsistency(String value);

  @Description("Driver read timeout per request, in milliseconds.")
  @Default.Integer(60000)
  Integer getCassandraReadTimeoutMillis();

  void setCassandraReadTimeoutMillis(Integer value);

  @Description(
      "Number of token-range splits to scan the table in; 0 = automatic: at least 64, and one"
          + " per ~20,000 partitions of the table's size estimates: with up to 5 rows per partition a"
          + " fully deleted range stays under the tombstone failure threshold (100,000); for wider"
          + " partitions set about rows / 50,000.")
  @Default.Integer(0)
  Integer getCassandraSplits();

  void setCassandraSplits(Integer value);
}
