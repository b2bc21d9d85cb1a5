// Java sample for the golden test.
package com.example.app;

import java.util.List;
import java.util.*;
import static java.lang.Math.max;

/** A service. */
public class Service implements Runnable {
  public static final int LIMIT = 3;
  private List<String> names;

  public Service(List<String> names) {
    this.names = names;
  }

  // Runs it.
  @Override
  public void run() {
    Helper helper = new Helper();
    helper.process(names, max(1, LIMIT));
  }

  enum Mode {
    FAST,
    SLOW
  }

  interface Listener {
    void onEvent(String name);
  }
}

record Pair(String left, String right) {}

@interface Marker {
  String value();
}
