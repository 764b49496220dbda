package main

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"plumb.dev/plumb/internal/sops"
)

// newSecrets is `plumb secrets`: age keys and SOPS files, locally, without
// a daemon. Files it writes are standard SOPS files the sops CLI reads.
func newSecrets() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "secrets",
		Short: "Make age keys and encrypt or decrypt Secrets with SOPS",
		Long: "Secrets live in Git encrypted with SOPS and age. `keygen` makes a key pair: give the public key to\n" +
			"whoever encrypts, and the key file to plumb (an App's spec.decryption.ageKeyFiles). `encrypt`\n" +
			"encrypts the data and stringData values of a Secret manifest in place; `decrypt` shows them to\n" +
			"people who hold the key. The files are standard SOPS files: `sops` edits and decrypts them too.",
	}
	cmd.AddCommand(newSecretsKeygen(), newSecretsEncrypt(), newSecretsDecrypt())
	return cmd
}

func newSecretsKeygen() *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "keygen [--out FILE]",
		Short: "Make an age key pair: the key file to stdout (or FILE, mode 0600), the public key to stderr",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			id, recipient, err := sops.Keygen()
			if err != nil {
				return err
			}
			if out == "" {
				cmd.OutOrStdout().Write(id)
			} else if err := writeNew(out, id); err != nil {
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "public key: %s\n", recipient)
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "write the key file here (must not exist) instead of stdout")
	return cmd
}

func newSecretsEncrypt() *cobra.Command {
	var recipients []string
	var keyFiles []string
	var regex string
	cmd := &cobra.Command{
		Use:   "encrypt FILE --age PUBLIC_KEY[,...] | --age-key-file KEY_FILE",
		Short: "Encrypt a Secret manifest's data and stringData values in place (YAML or JSON)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			for _, f := range keyFiles {
				ids, err := sops.LoadIdentities([]string{f})
				if err != nil {
					return err
				}
				recipients = append(recipients, ids.Recipients()...)
			}
			if len(recipients) == 0 {
				return errors.New("encrypt: name the public key(s) with --age, or a key file with --age-key-file")
			}
			file := args[0]
			data, err := os.ReadFile(file)
			if err != nil {
				return err
			}
			enc, err := sops.Encrypt(data, sops.FormatOf(file), recipients, regex)
			if err != nil {
				return fmt.Errorf("%s: %w", file, err)
			}
			if err := writeKeepMode(file, enc); err != nil {
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "encrypted %s for %s\n", file, strings.Join(recipients, ", "))
			return nil
		},
	}
	cmd.Flags().StringSliceVar(&recipients, "age", nil, "age public keys (age1…) to encrypt for")
	cmd.Flags().StringSliceVar(&keyFiles, "age-key-file", nil, "encrypt for the public keys of these key files")
	cmd.Flags().StringVar(&regex, "encrypted-regex", sops.SecretValues, "encrypt only values under keys matching this (\"\" encrypts every value)")
	return cmd
}

func newSecretsDecrypt() *cobra.Command {
	var keyFiles []string
	var inPlace bool
	cmd := &cobra.Command{
		Use:   "decrypt FILE --age-key-file KEY_FILE [--in-place]",
		Short: "Decrypt a SOPS file to stdout (or in place)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(keyFiles) == 0 {
				return errors.New("decrypt: name the key file with --age-key-file (plumb never reads keys from the environment)")
			}
			ids, err := sops.LoadIdentities(keyFiles)
			if err != nil {
				return err
			}
			file := args[0]
			data, err := os.ReadFile(file)
			if err != nil {
				return err
			}
			plain, err := sops.Decrypt(data, sops.FormatOf(file), ids)
			if err != nil {
				return fmt.Errorf("%s: %w", file, err)
			}
			if inPlace {
				return writeKeepMode(file, plain)
			}
			_, err = cmd.OutOrStdout().Write(plain)
			return err
		},
	}
	cmd.Flags().StringSliceVar(&keyFiles, "age-key-file", nil, "files holding age identities")
	cmd.Flags().BoolVar(&inPlace, "in-place", false, "replace the file with its decrypted form")
	return cmd
}

// writeNew writes a new private file; it fails when the file exists.
func writeNew(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// writeKeepMode replaces a file's content atomically, keeping its mode.
func writeKeepMode(path string, data []byte) error {
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	tmp := path + ".plumb-tmp"
	if err := os.WriteFile(tmp, data, fi.Mode().Perm()); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
