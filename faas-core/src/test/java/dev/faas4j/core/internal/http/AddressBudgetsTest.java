package dev.faas4j.core.internal.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The pool's per-address bookkeeping, without sockets. */
class AddressBudgetsTest {

  private static final InetSocketAddress A = InetSocketAddress.createUnresolved("a", 1);
  private static final InetSocketAddress B = InetSocketAddress.createUnresolved("b", 1);
  private static final InetSocketAddress C = InetSocketAddress.createUnresolved("c", 1);

  @Test
  void anAddressAtItsBudgetQueuesAtMostItsBudgetOfCalls() {
    AddressBudgets budgets = new AddressBudgets(8, 2);
    budgets.opened(A);
    budgets.opened(A);

    assertThat(budgets.atAddressBudget(A)).as("two of two").isTrue();
    assertThat(budgets.atAddressBudget(B)).as("another address is not").isFalse();
    assertThat(budgets.enqueue(call(A), Long.MAX_VALUE)).isTrue();
    assertThat(budgets.enqueue(call(A), Long.MAX_VALUE)).isTrue();
    assertThat(budgets.enqueue(call(A), Long.MAX_VALUE)).as("a third waiting call is refused").isFalse();
    assertThat(budgets.nextToOpen()).as("no slot for A while it holds its budget").isNull();
  }

  @Test
  void freedPoolSlotsGoRoundRobinToTheAddressesWaiting() {
    AddressBudgets budgets = new AddressBudgets(2, 2);
    budgets.opened(A);
    budgets.opened(B);
    UpstreamCall a1 = call(A);
    UpstreamCall a2 = call(A);
    UpstreamCall b1 = call(B);
    UpstreamCall c1 = call(C);
    for (UpstreamCall waiting : List.of(a1, a2, b1, c1)) {
      assertThat(budgets.enqueue(waiting, Long.MAX_VALUE)).isTrue();
    }

    List<UpstreamCall> served = new ArrayList<>();
    for (InetSocketAddress freed : List.of(A, B, A, C)) {
      budgets.closed(freed);
      served.add(budgets.nextToOpen());
    }

    assertThat(served).as("one call per address in turn, A's second after the others").containsExactly(a1, b1, c1, a2);
    assertThat(budgets.waiting()).isZero();
  }

  @Test
  void aCallHandedAnotherCallsConnectionLeavesTheCountsAlone() {
    AddressBudgets budgets = new AddressBudgets(1, 1);
    budgets.opened(A);
    UpstreamCall next = call(A);
    budgets.enqueue(next, Long.MAX_VALUE);

    assertThat(budgets.pollWaiting(A)).isSameAs(next);
    assertThat(budgets.open()).isEqualTo(1);
    assertThat(budgets.anyWaitingForPool()).isFalse();
  }

  @Test
  void expiredCallsLeaveTheirQueues() {
    AddressBudgets budgets = new AddressBudgets(1, 1);
    budgets.opened(A);
    UpstreamCall late = call(A);
    budgets.enqueue(late, 100);
    budgets.enqueue(call(B), 300);

    List<UpstreamCall> expired = new ArrayList<>();
    budgets.expire(200, expired);

    assertThat(expired).containsExactly(late);
    assertThat(budgets.waiting()).isEqualTo(1);
  }

  private static UpstreamCall call(InetSocketAddress address) {
    return new UpstreamCall(null, address, new byte[0], false, false, false, false, 1, new UpstreamCall.Handler() {
      @Override
      public void onFailure(UpstreamException cause) {}

      @Override
      public void onHead(ResponseHead head) {}

      @Override
      public void onData(ByteBuffer piece) {}

      @Override
      public void onEnd() {}
    });
  }
}
