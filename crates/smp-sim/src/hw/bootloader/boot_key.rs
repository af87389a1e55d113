//! The image signing key the emulated MCUboot checks (`--boot-key`), as
//! MCUboot built with `MCUBOOT_SIGNATURE_TYPE_ECDSA_P256` or `_ED25519` does:
//! a `KEYHASH` TLV (SHA-256 of the key's SubjectPublicKeyInfo DER) selects the
//! key, and the signature TLV that follows signs the image hash (the SHA256
//! TLV value).

use std::fmt;
use std::path::Path;

use ed25519_dalek::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePublicKey};
use p256::ecdsa::signature::hazmat::PrehashVerifier;
use p256::ecdsa::signature::Verifier;
use sha2::{Digest, Sha256};

/// TLV holding the SHA-256 of the signing key's public key.
pub const TLV_KEYHASH: u16 = 0x01;
/// TLV holding an ECDSA signature (DER), P-256 here.
pub const TLV_ECDSA_SIG: u16 = 0x22;
/// TLV holding an Ed25519 signature.
pub const TLV_ED25519: u16 = 0x24;

#[derive(Clone, Debug)]
enum Verifying {
    EcdsaP256(p256::ecdsa::VerifyingKey),
    Ed25519(ed25519_dalek::VerifyingKey),
}

/// A public key images must be signed with.
#[derive(Clone, Debug)]
pub struct BootKey {
    key: Verifying,
    /// SHA-256 of the SubjectPublicKeyInfo DER (what `KEYHASH` holds).
    key_hash: [u8; 32],
}

/// Why a key file was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum KeyError {
    Io(String),
    NotPem,
    /// A PEM block that is not a key this emulation checks.
    Unsupported(String),
}

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyError::Io(e) => write!(f, "{e}"),
            KeyError::NotPem => write!(f, "not a PEM file"),
            KeyError::Unsupported(what) => write!(
                f,
                "{what}: expected an ECDSA P-256 or Ed25519 key \
                 (PEM \"PUBLIC KEY\", or the \"PRIVATE KEY\" imgtool keygen writes)"
            ),
        }
    }
}

impl BootKey {
    pub fn load(path: &Path) -> Result<Self, KeyError> {
        let text = std::fs::read(path).map_err(|e| KeyError::Io(e.to_string()))?;
        Self::from_pem(&text)
    }

    /// A public key (SubjectPublicKeyInfo) or a PKCS#8 private key, in PEM.
    pub fn from_pem(pem: &[u8]) -> Result<Self, KeyError> {
        let (label, der) = pem_rfc7468::decode_vec(pem).map_err(|_| KeyError::NotPem)?;
        let key = match label {
            "PUBLIC KEY" => {
                if let Ok(key) = p256::ecdsa::VerifyingKey::from_public_key_der(&der) {
                    Verifying::EcdsaP256(key)
                } else if let Ok(key) = ed25519_dalek::VerifyingKey::from_public_key_der(&der) {
                    Verifying::Ed25519(key)
                } else {
                    return Err(KeyError::Unsupported("unknown public key type".into()));
                }
            }
            "PRIVATE KEY" => {
                if let Ok(key) = p256::ecdsa::SigningKey::from_pkcs8_der(&der) {
                    Verifying::EcdsaP256(*key.verifying_key())
                } else if let Ok(key) = ed25519_dalek::SigningKey::from_pkcs8_der(&der) {
                    Verifying::Ed25519(key.verifying_key())
                } else {
                    return Err(KeyError::Unsupported("unknown private key type".into()));
                }
            }
            other => return Err(KeyError::Unsupported(format!("PEM \"{other}\""))),
        };
        let spki = match &key {
            Verifying::EcdsaP256(k) => k.to_public_key_der(),
            Verifying::Ed25519(k) => k.to_public_key_der(),
        }
        .map_err(|e| KeyError::Unsupported(e.to_string()))?;
        Ok(BootKey {
            key,
            key_hash: Sha256::digest(spki.as_bytes()).into(),
        })
    }

    /// What `KEYHASH` must hold (MCUboot compares as many bytes as the TLV has).
    pub fn key_hash(&self) -> [u8; 32] {
        self.key_hash
    }

    /// The TLV type of this key's signatures.
    pub fn signature_tlv(&self) -> u16 {
        match self.key {
            Verifying::EcdsaP256(_) => TLV_ECDSA_SIG,
            Verifying::Ed25519(_) => TLV_ED25519,
        }
    }

    pub fn name(&self) -> &'static str {
        match self.key {
            Verifying::EcdsaP256(_) => "ECDSA P-256",
            Verifying::Ed25519(_) => "Ed25519",
        }
    }

    /// Whether `signature` (a signature TLV value) signs `image_hash`.
    pub fn verify(&self, image_hash: &[u8; 32], signature: &[u8]) -> bool {
        match &self.key {
            Verifying::EcdsaP256(key) => p256::ecdsa::Signature::from_der(signature)
                .is_ok_and(|sig| key.verify_prehash(image_hash, &sig).is_ok()),
            Verifying::Ed25519(key) => ed25519_dalek::Signature::from_slice(signature)
                .is_ok_and(|sig| key.verify(image_hash, &sig).is_ok()),
        }
    }
}

/// Signing keys for tests, with the PEM files a user would pass.
#[cfg(test)]
pub mod test_keys {
    use ed25519_dalek::pkcs8::{EncodePrivateKey, EncodePublicKey};
    use p256::ecdsa::signature::hazmat::PrehashSigner;
    use p256::ecdsa::signature::Signer;
    use p256::pkcs8::LineEnding;

    /// A test signing key of either kind.
    pub enum TestKey {
        EcdsaP256(p256::ecdsa::SigningKey),
        Ed25519(ed25519_dalek::SigningKey),
    }

    impl TestKey {
        pub fn p256(seed: u8) -> Self {
            let bytes = [seed; 32];
            TestKey::EcdsaP256(p256::ecdsa::SigningKey::from_slice(&bytes).expect("valid scalar"))
        }

        pub fn ed25519(seed: u8) -> Self {
            TestKey::Ed25519(ed25519_dalek::SigningKey::from_bytes(&[seed; 32]))
        }

        pub fn public_pem(&self) -> String {
            match self {
                TestKey::EcdsaP256(k) => k.verifying_key().to_public_key_pem(LineEnding::LF),
                TestKey::Ed25519(k) => k.verifying_key().to_public_key_pem(LineEnding::LF),
            }
            .expect("encode public key")
        }

        pub fn private_pem(&self) -> String {
            match self {
                TestKey::EcdsaP256(k) => k.to_pkcs8_pem(LineEnding::LF),
                TestKey::Ed25519(k) => k.to_pkcs8_pem(LineEnding::LF),
            }
            .expect("encode private key")
            .to_string()
        }

        pub fn key_hash(&self) -> [u8; 32] {
            super::BootKey::from_pem(self.public_pem().as_bytes())
                .expect("own key")
                .key_hash()
        }

        pub fn signature_tlv(&self) -> u16 {
            match self {
                TestKey::EcdsaP256(_) => super::TLV_ECDSA_SIG,
                TestKey::Ed25519(_) => super::TLV_ED25519,
            }
        }

        /// The signature TLV value imgtool would write for `image_hash`.
        pub fn sign(&self, image_hash: &[u8; 32]) -> Vec<u8> {
            match self {
                TestKey::EcdsaP256(k) => {
                    let sig: p256::ecdsa::Signature =
                        k.sign_prehash(image_hash).expect("sign the image hash");
                    sig.to_der().as_bytes().to_vec()
                }
                TestKey::Ed25519(k) => k.sign(image_hash).to_bytes().to_vec(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::test_keys::TestKey;
    use super::*;

    const HASH: [u8; 32] = [0x5A; 32];

    #[test]
    fn p256_public_key_verifies_its_signature() {
        let signer = TestKey::p256(7);
        let key = BootKey::from_pem(signer.public_pem().as_bytes()).unwrap();
        assert_eq!(key.signature_tlv(), TLV_ECDSA_SIG);
        assert!(key.verify(&HASH, &signer.sign(&HASH)));
    }

    #[test]
    fn ed25519_public_key_verifies_its_signature() {
        let signer = TestKey::ed25519(7);
        let key = BootKey::from_pem(signer.public_pem().as_bytes()).unwrap();
        assert_eq!(key.signature_tlv(), TLV_ED25519);
        assert!(key.verify(&HASH, &signer.sign(&HASH)));
    }

    #[test]
    fn private_key_pem_gives_the_same_key_as_its_public_pem() {
        for signer in [TestKey::p256(3), TestKey::ed25519(3)] {
            let from_private = BootKey::from_pem(signer.private_pem().as_bytes()).unwrap();
            let from_public = BootKey::from_pem(signer.public_pem().as_bytes()).unwrap();
            assert_eq!(from_private.key_hash(), from_public.key_hash());
        }
    }

    #[test]
    fn key_hash_is_sha256_of_the_public_key_der() {
        let signer = TestKey::p256(9);
        let pem = signer.public_pem();
        let (_, der) = pem_rfc7468::decode_vec(pem.as_bytes()).unwrap();
        let key = BootKey::from_pem(pem.as_bytes()).unwrap();
        assert_eq!(key.key_hash(), <[u8; 32]>::from(Sha256::digest(&der)));
    }

    #[test]
    fn a_signature_of_another_hash_is_refused() {
        for signer in [TestKey::p256(1), TestKey::ed25519(1)] {
            let key = BootKey::from_pem(signer.public_pem().as_bytes()).unwrap();
            assert!(!key.verify(&[0; 32], &signer.sign(&HASH)), "{}", key.name());
        }
    }

    #[test]
    fn a_signature_by_another_key_is_refused() {
        let key = BootKey::from_pem(TestKey::p256(1).public_pem().as_bytes()).unwrap();
        assert!(!key.verify(&HASH, &TestKey::p256(2).sign(&HASH)));
        let key = BootKey::from_pem(TestKey::ed25519(1).public_pem().as_bytes()).unwrap();
        assert!(!key.verify(&HASH, &TestKey::ed25519(2).sign(&HASH)));
    }

    #[test]
    fn garbage_signatures_are_refused_without_panicking() {
        for signer in [TestKey::p256(1), TestKey::ed25519(1)] {
            let key = BootKey::from_pem(signer.public_pem().as_bytes()).unwrap();
            for sig in [
                &[][..],
                &[0x30, 0x02, 0x01][..],
                &[0xFF; 64][..],
                &[0; 200][..],
            ] {
                assert!(!key.verify(&HASH, sig));
            }
        }
    }

    #[test]
    fn a_file_that_is_not_pem_is_refused() {
        assert_eq!(BootKey::from_pem(b"hello").unwrap_err(), KeyError::NotPem);
    }

    #[test]
    fn other_pem_blocks_are_refused() {
        let pem = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
        assert!(matches!(
            BootKey::from_pem(pem.as_bytes()),
            Err(KeyError::Unsupported(_))
        ));
    }

    #[test]
    fn unsupported_public_key_types_are_refused() {
        // An X25519 SubjectPublicKeyInfo: a well-formed key of another kind.
        let mut der = vec![
            0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x03, 0x21, 0x00,
        ];
        der.extend_from_slice(&[9; 32]);
        let pem =
            pem_rfc7468::encode_string("PUBLIC KEY", pem_rfc7468::LineEnding::LF, &der).unwrap();
        assert!(matches!(
            BootKey::from_pem(pem.as_bytes()),
            Err(KeyError::Unsupported(_))
        ));
    }
}
