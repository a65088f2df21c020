package io.mqttboot.benchmarks;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Completes a future when {@code count} publish futures completed; fails it with the first
 * failure, so a publisher that loses messages cannot look fast.
 */
final class CountDown {

	private final AtomicInteger remaining;

	private final AtomicReference<Throwable> failure = new AtomicReference<>();

	private final CompletableFuture<Void> future = new CompletableFuture<>();

	CountDown(int count) {
		this.remaining = new AtomicInteger(count);
		if (count == 0) {
			this.future.complete(null);
		}
	}

	void countDown(Throwable ex) {
		if (ex != null) {
			this.failure.compareAndSet(null, ex);
		}
		if (this.remaining.decrementAndGet() == 0) {
			Throwable first = this.failure.get();
			if (first != null) {
				this.future.completeExceptionally(first);
			}
			else {
				this.future.complete(null);
			}
		}
	}

	CompletableFuture<Void> future() {
		return this.future;
	}

}
