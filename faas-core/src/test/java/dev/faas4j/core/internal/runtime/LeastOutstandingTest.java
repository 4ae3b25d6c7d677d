package dev.faas4j.core.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faas4j.api.Endpoint;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LeastOutstandingTest {

  private static final Endpoint A = Endpoint.Http.loopback(1001);
  private static final Endpoint B = Endpoint.Http.loopback(1002);
  private static final Endpoint C = Endpoint.Http.loopback(1003);

  @Test
  void eachRequestGoesToTheReplicaWithTheFewestOutstanding() {
    LeastOutstanding spread = new LeastOutstanding();
    List<LeastOutstanding.Pick> open = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      open.add(spread.pick(List.of(A, B, C)));
    }
    assertThat(List.of(spread.outstanding(A), spread.outstanding(B), spread.outstanding(C)))
        .as("six requests over three replicas").containsExactly(2, 2, 2);

    open.stream().filter(p -> p.endpoint().equals(B)).forEach(LeastOutstanding.Pick::release);

    assertThat(spread.pick(List.of(A, B, C)).endpoint()).as("B is idle now").isEqualTo(B);
    assertThat(spread.pick(List.of(A, B, C)).endpoint()).isEqualTo(B);
  }

  @Test
  void equalReplicasTakeTurns() {
    LeastOutstanding spread = new LeastOutstanding();
    List<Endpoint> chosen = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      LeastOutstanding.Pick pick = spread.pick(List.of(A, B));
      chosen.add(pick.endpoint());
      pick.release();
    }
    assertThat(chosen).containsExactly(A, B, A, B);
  }

  @Test
  void noReadyReplicaIsNoPickAndGoneReplicasAreForgotten() {
    LeastOutstanding spread = new LeastOutstanding();
    assertThat(spread.pick(List.of())).isNull();

    LeastOutstanding.Pick onC = spread.pick(List.of(C));
    spread.retain(List.of(A));
    onC.release();

    assertThat(spread.outstanding(C)).as("a stopped replica's count is dropped").isZero();
    assertThat(spread.pick(List.of(A, B)).endpoint()).isIn(A, B);
  }
}
