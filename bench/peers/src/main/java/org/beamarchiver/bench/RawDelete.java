package org.beamarchiver.bench;

import com.datastax.driver.core.Cluster;
import com.datastax.driver.core.PreparedStatement;
import com.datastax.driver.core.ResultSetFuture;
import com.datastax.driver.core.Session;
import com.google.common.util.concurrent.MoreExecutors;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.beamarchiver.io.cassandra.CassandraConnection;
import org.beamarchiver.io.format.CsvLines;
import org.beamarchiver.spec.TableSpec;
import org.beamarchiver.spec.TableSpecLoader;

/**
 * Benchmark peer: what a plain delete script does. Reads the primary keys from every archive
 * file under a folder and deletes them by full key with the driver, {@code --inFlight} at a time,
 * with no verification and no guard.
 */
public final class RawDelete {
  private RawDelete() {}

  public static long run(BenchOptions o, PrintStream out) throws Exception {
    TableSpec spec = TableSpecLoader.load(Paths.get(o.getTableSpec()));
    CassandraConnection c = CassandraConnection.from(o);
    List<Path> files;
    try (Stream<Path> s = Files.walk(Paths.get(o.getOutput()))) {
      files = s.filter(p -> p.toString().endsWith(".csv.gz")).sorted().collect(Collectors.toList());
    }
    long n = 0;
    long start = System.nanoTime();
    try (Cluster cluster = c.newCluster();
        Session session = cluster.connect()) {
      PreparedStatement delete =
          session.prepare(
              "DELETE FROM " + spec.keyspace() + "." + spec.table() + " WHERE "
                  + spec.primaryKey().stream().map(k -> k + " = ?").collect(Collectors.joining(" AND ")));
      Semaphore permits = new Semaphore(o.getInFlight());
      AtomicReference<Throwable> failure = new AtomicReference<>();
      for (Path f : files) {
        try (CSVParser csv =
            CsvLines.READ_FORMAT.parse(
                new InputStreamReader(new GZIPInputStream(Files.newInputStream(f), 1 << 16), StandardCharsets.UTF_8))) {
          for (CSVRecord r : csv) {
            Object[] key = spec.primaryKey().stream().map(r::get).toArray();
            permits.acquire();
            ResultSetFuture fut = session.executeAsync(delete.bind(key));
            fut.addListener(
                () -> {
                  try {
                    fut.getUninterruptibly();
                  } catch (RuntimeException e) {
                    failure.compareAndSet(null, e);
                  }
                  permits.release();
                },
                MoreExecutors.directExecutor());
            n++;
          }
        }
      }
      permits.acquire(o.getInFlight());
      if (failure.get() != null) {
        throw new IllegalStateException(failure.get());
      }
    }
    double secs = (System.nanoTime() - start) / 1e9;
    out.printf("[bench] raw deletes: %d rows in %.1fs (%.0f rows/s)%n", n, secs, n / secs);
    return n;
  }
}
