package org.beamarchiver.bench;

import com.datastax.driver.core.Cluster;
import com.datastax.driver.core.Session;

/** Benchmark helper: {@code DropKeyspace <port> <keyspace>} drops a keyspace on 127.0.0.1. */
public final class DropKeyspace {
  private DropKeyspace() {}

  public static void main(String[] args) {
    try (Cluster c =
            Cluster.builder()
                .addContactPoint("127.0.0.1")
                .withPort(Integer.parseInt(args[0]))
                .withoutJMXReporting()
                .build();
        Session s = c.connect()) {
      s.execute("DROP KEYSPACE IF EXISTS " + args[1]);
    }
    System.exit(0);
  }
}
