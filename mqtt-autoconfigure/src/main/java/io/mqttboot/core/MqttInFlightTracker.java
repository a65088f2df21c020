package io.mqttboot.core;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts the QoS 1 and QoS 2 messages of one client that are in flight: outgoing ones
 * published but not yet completed by PUBACK (QoS 1) or PUBCOMP (QoS 2), and incoming ones
 * received but not yet acknowledged because a listener is still processing them.
 * <p>
 * Health, the actuator endpoint and metrics only read these counters; the client manager
 * and the listener containers own them.
 * <p>
 * An outgoing message counts from the moment it is handed to the MQTT client. The client
 * keeps at most the broker's Receive Maximum of them unacknowledged on the wire
 * [MQTT-3.3.4-7] (HiveMQ CE announces 10) and holds the rest back, so the outgoing counts
 * are split into {@link #getOutgoingSent() sent} and {@link #getOutgoingQueued() queued in
 * the client}.
 *
 * @since 0.1.0
 */
public final class MqttInFlightTracker {

	/** The Receive Maximum when the broker announces none: the protocol's 65,535. */
	public static final int UNLIMITED_WINDOW = 65_535;

	private final AtomicInteger outgoingQos1 = new AtomicInteger();

	private final AtomicInteger outgoingQos2 = new AtomicInteger();

	private final AtomicInteger incomingQos1 = new AtomicInteger();

	private final AtomicInteger incomingQos2 = new AtomicInteger();

	private volatile int outgoingWindow = UNLIMITED_WINDOW;

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
	 * Return the outgoing QoS 1 and QoS 2 messages that were sent and are not yet
	 * acknowledged: those not yet completed, up to the broker's Receive Maximum.
	 * @return the count
	 */
	public int getOutgoingSent() {
		return Math.min(outgoing(), this.outgoingWindow);
	}

	/**
	 * Return the outgoing QoS 1 and QoS 2 messages the client holds back because the broker's
	 * Receive Maximum of unacknowledged messages is reached.
	 * @return the count
	 */
	public int getOutgoingQueued() {
		return Math.max(0, outgoing() - this.outgoingWindow);
	}

	/**
	 * Return the broker's Receive Maximum on the current (or last) connection: how many
	 * outgoing QoS 1 and QoS 2 messages may be unacknowledged at once.
	 * @return the limit; 65,535 when the broker announced none or speaks MQTT 3.1.1
	 */
	public int getOutgoingWindow() {
		return this.outgoingWindow;
	}

	void setOutgoingWindow(int window) {
		this.outgoingWindow = window;
	}

	private int outgoing() {
		return this.outgoingQos1.get() + this.outgoingQos2.get();
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
				+ ", outgoingQueued=" + getOutgoingQueued() + ", incomingQos1=" + getIncomingQos1() + ", incomingQos2=" + getIncomingQos2() + "]";
	}

}
