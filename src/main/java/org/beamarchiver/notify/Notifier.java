package org.beamarchiver.notify;

import java.io.IOException;
import java.io.Serializable;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.beamarchiver.options.NotifyOptions;
import org.beamarchiver.retry.Outage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a run's {@link Notice} as one JSON POST to each --notifyUrl, when --notifyOn says so. A
 * server that answers 5xx or 429, or cannot be reached, is tried again with backoff for up to a
 * minute; a notification that cannot be delivered is logged and never changes the run's outcome.
 * URLs are logged without their path and query, which hold a webhook's token.
 *
 * @param urls where to send
 * @param always ALWAYS (true) or FAILURE (false)
 * @param budget how long one URL's delivery is retried
 */
public record Notifier(List<String> urls, boolean always, Duration budget) implements Serializable {
  private static final Logger LOG = LoggerFactory.getLogger(Notifier.class);
  /** No notifications. */
  public static final Notifier NONE = new Notifier(List.of(), false, Duration.ZERO);

  public Notifier {
    urls = List.copyOf(urls);
  }

  /**
   * The notifier the options ask for.
   *
   * @throws IllegalArgumentException naming the option for a URL that is not http(s) or a wrong --notifyOn
   */
  public static Notifier of(NotifyOptions o) {
    String on = o.getNotifyOn() == null ? "FAILURE" : o.getNotifyOn().toUpperCase(Locale.ROOT);
    if (!on.equals("FAILURE") && !on.equals("ALWAYS")) {
      throw new IllegalArgumentException("--notifyOn=" + o.getNotifyOn() + " is not one of FAILURE, ALWAYS");
    }
    List<String> urls = o.getNotifyUrl() == null ? List.of() : o.getNotifyUrl();
    for (String u : urls) {
      checkHttpUrl("--notifyUrl", u, "");
    }
    return new Notifier(urls, on.equals("ALWAYS"), Duration.ofSeconds(60));
  }

  /**
   * Refuses option {@code option}'s {@code url} unless it is an http(s) URL with a host; the message
   * shows the URL redacted ({@code hint}: an example, or empty).
   */
  static void checkHttpUrl(String option, String url, String hint) {
    URI uri;
    try {
      uri = URI.create(url);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(option + " " + redact(url) + " is not a URL");
    }
    if (uri.getScheme() == null || !List.of("http", "https").contains(uri.getScheme().toLowerCase(Locale.ROOT))
        || uri.getHost() == null) {
      throw new IllegalArgumentException(
          option + " must be an http:// or https:// URL with a host" + hint + ", got " + redact(url));
    }
  }

  /** A URL as logs show it: scheme, host and port; the path and query (tokens) left out. */
  public static String redact(String url) {
    try {
      URI u = URI.create(url);
      if (u.getHost() != null) {
        return u.getScheme() + "://" + u.getHost() + (u.getPort() < 0 ? "" : ":" + u.getPort()) + "/…";
      }
    } catch (IllegalArgumentException ignored) {
      // not a URL: say nothing of it
    }
    return "(a URL)";
  }

  /** Sends {@code notice} to every URL if --notifyOn asks; returns how many took it. Never throws. */
  public int send(Notice notice) {
    if (urls.isEmpty() || !(always || notice.failure())) {
      return 0;
    }
    String body = notice.body();
    int delivered = 0;
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    for (String url : urls) {
      if (deliver(http, url, body, notice.jobId())) {
        delivered++;
      }
    }
    return delivered;
  }

  private boolean deliver(HttpClient http, String url, String body, String jobId) {
    String shown = redact(url);
    Outage.Rounds rounds = new Outage(budget).rounds();
    while (true) {
      String problem;
      try {
        HttpResponse<String> r =
            http.send(
                HttpRequest.newBuilder(URI.create(url))
                    .timeout(Duration.ofSeconds(20))
                    .header("Content-Type", "application/json; charset=utf-8")
                    .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        int code = r.statusCode();
        if (code >= 200 && code < 300) {
          LOG.info("notified {} of job {} (HTTP {})", shown, jobId, code);
          return true;
        }
        if (code != 429 && code < 500) {
          LOG.warn("notification to {} refused (HTTP {}); not retried", shown, code);
          return false;
        }
        problem = "HTTP " + code;
      } catch (IOException e) {
        problem = e.getClass().getSimpleName(); // the message may quote the URL
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        LOG.warn("notification to {} interrupted", shown);
        return false;
      }
      try {
        rounds.next("notify " + shown, problem);
      } catch (Outage.GaveUpException e) {
        LOG.warn("notification to {} not delivered after {} s: {}", shown, budget.toSeconds(), problem);
        return false;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
  }
}
