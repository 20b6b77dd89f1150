package org.beamarchiver.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;

/**
 * A TCP proxy on 127.0.0.1 in front of a real server (PostgreSQL, S3Proxy, Azurite), through which
 * a test takes that server away and gives it back at a chosen moment: {@link #down()} resets every
 * open connection and refuses new ones (what clients see when a database fails over or an object
 * store's endpoint is gone), {@link #up()} accepts again on the same port.
 */
public final class FaultProxy implements AutoCloseable {
  private final String targetHost;
  private final int targetPort;
  private final int port;
  private final List<Socket> open = new ArrayList<>();
  private ServerSocket server;
  private Thread acceptor;
  private volatile boolean closed;

  public FaultProxy(String targetHost, int targetPort) {
    this.targetHost = targetHost;
    this.targetPort = targetPort;
    try (ServerSocket probe = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      this.port = probe.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    up();
  }

  /** The port clients connect to instead of the server's. */
  public int port() {
    return port;
  }

  /** Accepts connections again (after {@link #down()}), on the same port. */
  public synchronized void up() {
    if (server != null) {
      return;
    }
    try {
      ServerSocket s = new ServerSocket();
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
      server = s;
    } catch (IOException e) {
      throw new IllegalStateException("cannot listen on 127.0.0.1:" + port + " again", e);
    }
    ServerSocket s = server;
    acceptor = new Thread(() -> accept(s), "fault-proxy-" + port);
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** Resets every open connection and refuses new ones until {@link #up()}. */
  public synchronized void down() {
    if (server == null) {
      return;
    }
    try {
      server.close();
    } catch (IOException ignored) {
      // closed either way
    }
    server = null;
    synchronized (open) {
      for (Socket s : open) {
        reset(s);
      }
      open.clear();
    }
  }

  /** Whether connections are accepted now. */
  public synchronized boolean isUp() {
    return server != null;
  }

  private void accept(ServerSocket s) {
    while (!closed && !s.isClosed()) {
      Socket client;
      try {
        client = s.accept();
      } catch (IOException e) {
        return; // taken down
      }
      Socket upstream;
      try {
        upstream = new Socket(targetHost, targetPort);
      } catch (IOException e) {
        reset(client);
        continue;
      }
      synchronized (open) {
        if (s.isClosed()) {
          reset(client);
          reset(upstream);
          return;
        }
        open.add(client);
        open.add(upstream);
      }
      pump(client, upstream);
      pump(upstream, client);
    }
  }

  private void pump(Socket from, Socket to) {
    Thread t =
        new Thread(
            () -> {
              byte[] buf = new byte[1 << 16];
              try (InputStream in = from.getInputStream()) {
                OutputStream out = to.getOutputStream();
                for (int n; (n = in.read(buf)) >= 0; ) {
                  out.write(buf, 0, n);
                  out.flush();
                }
                to.shutdownOutput();
              } catch (IOException e) {
                reset(to);
              } finally {
                synchronized (open) {
                  if (from.isClosed() && to.isClosed()) {
                    open.remove(from);
                    open.remove(to);
                  }
                }
              }
            },
            "fault-proxy-pump-" + port);
    t.setDaemon(true);
    t.start();
  }

  /** Closes with a reset (RST), as a lost server does, rather than an orderly FIN. */
  private static void reset(Socket s) {
    try {
      s.setSoLinger(true, 0);
    } catch (SocketException ignored) {
      // already closed
    }
    try {
      s.close();
    } catch (IOException ignored) {
      // already closed
    }
  }

  @Override
  public void close() {
    closed = true;
    down();
  }
}
