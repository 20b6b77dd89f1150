package org.beamarchiver.bench;

import com.datastax.driver.core.Cluster;
import com.datastax.driver.core.ColumnMetadata;
import com.datastax.driver.core.PreparedStatement;
import com.datastax.driver.core.Row;
import com.datastax.driver.core.Session;
import com.datastax.driver.core.TableMetadata;
import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.zip.GZIPOutputStream;
import org.beamarchiver.io.cassandra.CassandraConnection;
import org.beamarchiver.io.format.CsvLines;
import org.beamarchiver.spec.TableSpec;
import org.beamarchiver.spec.TableSpecLoader;

/**
 * Benchmark peers written the plain way, with the DataStax driver alone: a full token-range scan
 * that decodes every row and discards it (the limit of any archiver on this cluster), or the same
 * scan writing every row, as the archive's canonical text, into one gzip CSV (a minimal archiver:
 * no partitioning, sorting, checksums, ledger or Beam).
 */
public final class RawScan {
  private RawScan() {}

  public static long run(BenchOptions o, PrintStream out) throws Exception {
    TableSpec spec = TableSpecLoader.load(Paths.get(o.getTableSpec()));
    CassandraConnection c = CassandraConnection.from(o);
    boolean write = !o.getOutput().isEmpty();
    AtomicLong rows = new AtomicLong();
    long start = System.nanoTime();
    try (Cluster cluster = c.newCluster();
        Session session = cluster.connect()) {
      TableMetadata t = cluster.getMetadata().getKeyspace(spec.keyspace()).getTable(spec.table());
      String pk = t.getPartitionKey().stream().map(ColumnMetadata::getName).collect(Collectors.joining(","));
      List<String> cols = t.getColumns().stream().map(ColumnMetadata::getName).toList();
      PreparedStatement range =
          session.prepare(
              "SELECT " + String.join(",", cols) + " FROM " + spec.keyspace() + "." + spec.table()
                  + " WHERE token(" + pk + ") > ? AND token(" + pk + ") <= ?");
      int splits = o.getCassandraSplits() > 0 ? o.getCassandraSplits() : 64;
      BigInteger min = BigInteger.valueOf(Long.MIN_VALUE);
      BigInteger width = BigInteger.ONE.shiftLeft(64).divide(BigInteger.valueOf(splits));
      Writer csv = null;
      if (write) {
        OutputStream file = new BufferedOutputStream(Files.newOutputStream(Paths.get(o.getOutput())), 1 << 16);
        csv = new OutputStreamWriter(new GZIPOutputStream(file, 1 << 16), StandardCharsets.UTF_8);
        csv.write(CsvLines.line(cols.toArray()));
      }
      final Writer sink = csv;
      ExecutorService pool = Executors.newFixedThreadPool(o.getInFlight());
      List<Future<?>> tasks = new ArrayList<>();
      for (int i = 0; i < splits; i++) {
        long lo = i == 0 ? Long.MIN_VALUE : min.add(width.multiply(BigInteger.valueOf(i))).longValueExact();
        long hi = i == splits - 1 ? Long.MAX_VALUE : min.add(width.multiply(BigInteger.valueOf(i + 1))).longValueExact();
        tasks.add(
            pool.submit(
                () -> {
                  StringBuilder batch = new StringBuilder(1 << 16);
                  Object[] fields = new Object[cols.size()];
                  long n = 0;
                  for (Row r : session.execute(range.bind(lo, hi))) {
                    for (int k = 0; k < fields.length; k++) {
                      Object v = r.isNull(k) ? null : r.getObject(k);
                      fields[k] = write ? PlainText.of(v) : v;
                    }
                    n++;
                    if (write) {
                      batch.append(CsvLines.line(fields));
                      if (batch.length() > (1 << 16)) {
                        flush(sink, batch);
                      }
                    }
                  }
                  if (write) {
                    flush(sink, batch);
                  }
                  rows.addAndGet(n);
                  return null;
                }));
      }
      for (Future<?> f : tasks) {
        f.get();
      }
      pool.shutdown();
      if (sink != null) {
        sink.close();
      }
    }
    double secs = (System.nanoTime() - start) / 1e9;
    out.printf(
        "[bench] %s: %d rows in %.1fs (%.0f rows/s)%n",
        write ? "minimal archiver (scan + one gzip CSV)" : "raw scan (decode, discard)",
        rows.get(),
        secs,
        rows.get() / secs);
    return rows.get();
  }

  private static void flush(Writer w, StringBuilder sb) {
    synchronized (w) {
      try {
        w.append(sb);
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
    sb.setLength(0);
  }
}
