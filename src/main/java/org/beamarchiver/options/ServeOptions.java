package org.beamarchiver.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;

/** Options of the {@code serve} command: the status page of a table, served live from the ledger. */
public interface ServeOptions extends StatusOptions {
  @Description("The TCP port to serve the page on (0: any free port, printed at start).")
  @Default.Integer(8484)
  Integer getPort();

  void setPort(Integer value);

  @Description(
      "The address to listen on. The default serves this machine only; 0.0.0.0 (or a host's"
          + " address) shows the page, with the table's names and errors, to whoever can reach it.")
  @Default.String("127.0.0.1")
  String getBind();

  void setBind(String value);

  @Description("How often an open page reloads itself, in seconds (0: never).")
  @Default.Integer(30)
  Integer getRefreshSeconds();

  void setRefreshSeconds(Integer value);
}
