package dev.faas4j.docker.internal;

import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.StreamType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Reads a container's last output lines from the engine; never throws. */
final class ContainerLogs {

  private static final Logger LOG = LoggerFactory.getLogger(ContainerLogs.class);
  private static final int FAILURE_LOG_LINES = 20;

  private final Engine engine;

  ContainerLogs(Engine engine) {
    this.engine = engine;
  }

  /** The last output of a container, worded as the tail of a failure message. */
  String lastLines(String containerId) {
    List<LogLine> lines = read(containerId, FAILURE_LOG_LINES);
    if (lines.isEmpty()) {
      return "; it wrote no output";
    }
    return "; last output:\n" + lines.stream().map(LogLine::text).collect(Collectors.joining("\n"));
  }

  /** The last lines of a container's stdout and stderr, with timestamps; empty if unavailable. */
  List<LogLine> read(String containerId, int tail) {
    Map<StreamType, StringBuilder> partial = new EnumMap<>(StreamType.class);
    List<LogLine> lines = Collections.synchronizedList(new ArrayList<>());
    ResultCallback.Adapter<Frame> callback = new ResultCallback.Adapter<>() {
      @Override
      public void onNext(Frame frame) {
        StringBuilder buffer = partial.computeIfAbsent(frame.getStreamType(), t -> new StringBuilder());
        buffer.append(new String(frame.getPayload(), StandardCharsets.UTF_8));
        int newline;
        while ((newline = buffer.indexOf("\n")) >= 0) {
          lines.add(LogLine.parse(stripCarriageReturn(buffer.substring(0, newline))));
          buffer.delete(0, newline + 1);
        }
      }
    };
    try {
      engine.client().logContainerCmd(containerId)
          .withStdOut(true)
          .withStdErr(true)
          .withTimestamps(true)
          .withTail(tail)
          .exec(callback)
          .awaitCompletion(Engine.CALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      LOG.debug("could not read logs of container {}: {}", containerId, e.getMessage());
    } finally {
      Engine.closeQuietly(callback);
    }
    for (StringBuilder rest : partial.values()) {
      if (rest.length() > 0) {
        lines.add(LogLine.parse(stripCarriageReturn(rest.toString())));
      }
    }
    List<LogLine> sorted = new ArrayList<>(lines);
    Collections.sort(sorted);
    return sorted.subList(Math.max(0, sorted.size() - tail), sorted.size());
  }

  private static String stripCarriageReturn(String line) {
    return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
  }
}
