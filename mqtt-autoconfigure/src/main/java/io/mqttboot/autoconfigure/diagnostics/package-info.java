/**
 * Failure analyzers that turn MQTT startup failures into Spring Boot's "APPLICATION FAILED
 * TO START" report with a description and an action.
 */
@NullMarked
package io.mqttboot.autoconfigure.diagnostics;

import org.jspecify.annotations.NullMarked;
