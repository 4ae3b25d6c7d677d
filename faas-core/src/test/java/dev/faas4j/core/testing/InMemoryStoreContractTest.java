package dev.faas4j.core.testing;

import dev.faas4j.api.FunctionStore;
import dev.faas4j.api.FunctionStoreContract;
import java.time.Clock;

class InMemoryStoreContractTest extends FunctionStoreContract {
  @Override
  protected FunctionStore newStore() {
    return new InMemoryStore();
  }

  @Override
  protected FunctionStore newStoreKeepingChanges(int keep) {
    return new InMemoryStore(keep, Clock.systemUTC());
  }
}
