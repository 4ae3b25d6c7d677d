package dev.faas4j.core.internal.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faas4j.api.FunctionRequest;
import dev.faas4j.core.internal.proxy.DirectExchange;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TrafficSplitterTest {

  private static DirectExchange request(String... headers) {
    FunctionRequest request = FunctionRequest.get("/");
    for (int i = 0; i < headers.length; i += 2) {
      request = request.withHeader(headers[i], headers[i + 1]);
    }
    return new DirectExchange(request, "prod.hello.func.local");
  }

  @Test
  void theHeaderWinsOverTheCookieAndEmptyValuesAreNoKey() {
    TrafficSplitter splitter = new TrafficSplitter("X-Faas4j-Sticky", "faas4j-sticky");

    assertThat(splitter.stickyKey(request("X-Faas4j-Sticky", "h", "Cookie", "faas4j-sticky=c"))).isEqualTo("h");
    assertThat(splitter.stickyKey(request("Cookie", "a=1; faas4j-sticky=\"c\"; b=2"))).isEqualTo("c");
    assertThat(splitter.stickyKey(request("X-Faas4j-Sticky", "", "Cookie", "faas4j-sticky="))).isNull();
    assertThat(splitter.stickyKey(request("Cookie", "other-faas4j-sticky=x"))).as("another cookie's name").isNull();
    assertThat(splitter.stickyKey(request())).isNull();
  }

  @Test
  void aSourceSetToNullIsNotLookedAt() {
    assertThat(new TrafficSplitter(null, "k").stickyKey(request("X-Faas4j-Sticky", "h", "Cookie", "k=c")))
        .isEqualTo("c");
    assertThat(new TrafficSplitter("X-Key", null).stickyKey(request("Cookie", "faas4j-sticky=c"))).isNull();
  }

  @Test
  void keysSpreadOverTheWholeRangeAndLandInsideIt() {
    Set<Long> points = new HashSet<>();
    for (int i = 0; i < 1_000; i++) {
      long point = TrafficSplitter.point("user-" + i, 10);
      assertThat(point).isBetween(0L, 9L);
      points.add(point);
    }
    assertThat(points).as("keys that differ in their last characters reach every point").hasSize(10);
    assertThat(TrafficSplitter.point("same", 1_000_000)).isEqualTo(TrafficSplitter.point("same", 1_000_000));
  }
}
