package org.beamarchiver.io;

import org.beamarchiver.io.cassandra.CassandraSource;
import org.beamarchiver.io.jdbc.JdbcSource;
import org.beamarchiver.io.source.LiveSource;
import org.beamarchiver.sql.JdbcEndpoint;
import org.beamarchiver.options.CassandraSourceOptions;
import org.beamarchiver.options.JdbcSourceOptions;
import org.beamarchiver.retry.Outage;
import org.beamarchiver.spec.TableSpec;

/**
 * The one place a source kind is chosen: the table spec's {@code source.kind} names the
 * {@link LiveSource} that serves it. A new kind of source is a package implementing the seam and
 * one case here.
 */
public final class LiveSources {
  private LiveSources() {}

  /** The source of {@code spec}, reached with the options' connection settings for its kind. */
  public static <O extends CassandraSourceOptions & JdbcSourceOptions> LiveSource of(TableSpec spec, O options) {
    return switch (spec.sourceKind()) {
      case cassandra -> CassandraSource.of(spec, options);
      case jdbc -> JdbcSource.of(spec, options, Outage.ofSeconds(options.getMaxOutageSeconds()));
      case files -> throw new IllegalArgumentException(
          "the table spec's source.kind is files (" + spec.files().location() + "): its files are not rows,"
              + " and this command serves row sources (cassandra, jdbc) only");
    };
  }

  /** A table in another JDBC database (a restore's --targetJdbcUrl), keyed like {@code spec}'s. */
  public static LiveSource jdbc(TableSpec spec, JdbcEndpoint database, Outage outage) {
    return new JdbcSource(spec, database, 1, outage);
  }
}
