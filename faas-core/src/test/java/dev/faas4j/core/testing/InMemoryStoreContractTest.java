package dev.faas4j.core.testing;

import dev.faas4j.api.FunctionStore;
import dev.faas4j.api.FunctionStoreContract;

class InMemoryStoreContractTest extends FunctionStoreContract {
  @Override
  protected FunctionStore newStore() {
    return new InMemoryStore();
  }
}
