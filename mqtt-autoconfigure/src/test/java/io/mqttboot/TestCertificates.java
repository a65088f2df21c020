package io.mqttboot;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Certificates made at test time: a CA, and server and client certificates it signs, as
 * PEM files that both mosquitto and Spring Boot SSL bundles read.
 */
public final class TestCertificates {

	private static final AtomicLong serial = new AtomicLong(System.currentTimeMillis());

	private final Path dir;

	private final String name;

	private final KeyPair keyPair;

	private final X509CertificateHolder certificate;

	private TestCertificates(Path dir, String name, KeyPair keyPair, X509CertificateHolder certificate) {
		this.dir = dir;
		this.name = name;
		this.keyPair = keyPair;
		this.certificate = certificate;
		write(certificatePath(), certificate);
		write(privateKeyPath(), keyPair.getPrivate());
	}

	/**
	 * Create a self-signed certificate authority.
	 * @param dir where to write the PEM files
	 * @param name the common name, also the file name prefix
	 * @return the CA
	 */
	public static TestCertificates authority(Path dir, String name) {
		KeyPair keyPair = keyPair();
		X500Name subject = new X500Name("CN=" + name);
		JcaX509v3CertificateBuilder builder = builder(subject, subject, keyPair);
		try {
			builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
			builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return new TestCertificates(dir, name, keyPair, sign(builder, keyPair));
	}

	/**
	 * Issue a certificate for a server or client.
	 * @param name the common name, also the file name prefix
	 * @param dnsNames DNS subject alternative names
	 * @param ipAddresses IP subject alternative names
	 * @return the certificate
	 */
	public TestCertificates issue(String name, String[] dnsNames, String[] ipAddresses) {
		KeyPair keyPair = keyPair();
		JcaX509v3CertificateBuilder builder = builder(this.certificate.getSubject(), new X500Name("CN=" + name), keyPair);
		try {
			GeneralName[] names = new GeneralName[dnsNames.length + ipAddresses.length];
			int i = 0;
			for (String dns : dnsNames) {
				names[i++] = new GeneralName(GeneralName.dNSName, dns);
			}
			for (String ip : ipAddresses) {
				names[i++] = new GeneralName(GeneralName.iPAddress, ip);
			}
			if (names.length > 0) {
				builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return new TestCertificates(this.dir, name, keyPair, sign(builder, this.keyPair));
	}

	public Path certificatePath() {
		return this.dir.resolve(this.name + ".crt");
	}

	public Path privateKeyPath() {
		return this.dir.resolve(this.name + ".key");
	}

	private static JcaX509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair keyPair) {
		Instant now = Instant.now();
		return new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(serial.incrementAndGet()),
				Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(2))), subject,
				keyPair.getPublic());
	}

	private static X509CertificateHolder sign(JcaX509v3CertificateBuilder builder, KeyPair signer) {
		try {
			return builder.build(new JcaContentSignerBuilder("SHA256withRSA").build(signer.getPrivate()));
		}
		catch (OperatorCreationException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static KeyPair keyPair() {
		try {
			KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
			generator.initialize(2048);
			return generator.generateKeyPair();
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static void write(Path path, Object object) {
		StringWriter text = new StringWriter();
		try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
			writer.writeObject(object);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		try {
			Files.writeString(path, text.toString());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
