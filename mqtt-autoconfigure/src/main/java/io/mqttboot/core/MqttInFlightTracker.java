package io.mqttboot.core;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts the QoS 1 and QoS 2 messages of one client that are in flight: outgoing ones
 * published but not yet completed by PUBACK (QoS 1) or PUBCOMP (QoS 2), and incoming ones
 * received but not yet acknowledged because a listener is still processing them.
 * <p>
 * Health, the actuator endpoint and metrics only read these counters; the client manager
 * and the listener containers own them.
 *
 * @since 0.1.0
 */
public final class MqttInFlightTracker {

	private final AtomicInteger outgoingQos1 = new AtomicInteger();

	private final AtomicInteger outgoingQos2 = new AtomicInteger();

	private final AtomicInteger incomingQos1 = new AtomicInteger();

	private final AtomicInteger incomingQos2 = new AtomicInteger();

	/**
	 * Record that an outgoing message was handed to the network layer.
	 * @param qos the QoS of the message; QoS 0 is not tracked
	 */
	public void outgoingStarted(int qos) {
		counter(qos, this.outgoingQos1, this.outgoingQos2, 1);
	}

	/**
	 * Record that an outgoing message was acknowledged or failed.
	 * @param qos the QoS of the message; QoS 0 is not tracked
	 */
	public void outgoingCompleted(int qos) {
		counter(qos, this.outgoingQos1, this.outgoingQos2, -1);
	}

	/**
	 * Record that an incoming message was received and awaits acknowledgement.
	 * @param qos the QoS of the message; QoS 0 is not tracked
	 */
	public void incomingStarted(int qos) {
		counter(qos, this.incomingQos1, this.incomingQos2, 1);
	}

	/**
	 * Record that an incoming message was acknowledged.
	 * @param qos the QoS of the message; QoS 0 is not tracked
	 */
	public void incomingCompleted(int qos) {
		counter(qos, this.incomingQos1, this.incomingQos2, -1);
	}

	private static void counter(int qos, AtomicInteger qos1, AtomicInteger qos2, int delta) {
		if (qos == 1) {
			qos1.addAndGet(delta);
		}
		else if (qos == 2) {
			qos2.addAndGet(delta);
		}
	}

	/**
	 * Return the outgoing QoS 1 messages not yet acknowledged by PUBACK.
	 * @return the count
	 */
	public int getOutgoingQos1() {
		return this.outgoingQos1.get();
	}

	/**
	 * Return the outgoing QoS 2 messages not yet completed by PUBCOMP.
	 * @return the count
	 */
	public int getOutgoingQos2() {
		return this.outgoingQos2.get();
	}

	/**
	 * Return the incoming QoS 1 messages not yet acknowledged.
	 * @return the count
	 */
	public int getIncomingQos1() {
		return this.incomingQos1.get();
	}

	/**
	 * Return the incoming QoS 2 messages not yet acknowledged.
	 * @return the count
	 */
	public int getIncomingQos2() {
		return this.incomingQos2.get();
	}

	@Override
	public String toString() {
		return "MqttInFlightTracker[outgoingQos1=" + getOutgoingQos1() + ", outgoingQos2=" + getOutgoingQos2()
				+ ", incomingQos1=" + getIncomingQos1() + ", incomingQos2=" + getIncomingQos2() + "]";
	}

}
