package org.beamarchiver.io.source;

import java.io.Serializable;

/** Called just before a row's delete is sent (tests use it to race the delete). */
public interface DeleteHook extends Serializable {
  void beforeDelete(String[] values);

  DeleteHook NONE = values -> {};
}
