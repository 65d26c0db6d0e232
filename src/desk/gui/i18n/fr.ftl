# candor-desk, l'application de bureau : français. Mêmes clés et mêmes
# { $variables } que le catalogue anglais.

language = Langue
cancel = Annuler
yes = oui
no = non

## Déverrouiller

unlock-title = Déverrouiller le coffre du bureau
unlock-intro = Saisissez une seule fois la phrase secrète des clés du bureau. La fenêtre garde les clés en mémoire jusqu'à ce qu'elle soit verrouillée ou fermée.
unlock-vault = Dossier du coffre
unlock-keys = Dossier des clés secrètes
unlock-passphrase = Phrase secrète
unlock-button = Déverrouiller
err-no-keys = Saisissez le dossier des clés secrètes du bureau.
err-nothing-pending = Rien n'attend d'être envoyé : aucune réponse, aucun changement de statut, aucun dossier enregistré ni suppression.
err-bundle-refused = L'export a été refusé et le coffre n'a pas changé. Gardez le fichier comme preuve et prévenez l'administrateur du serveur.
err-not-found = Introuvable.
err-exists = Ce fichier ou ce répertoire existe déjà ; choisissez un autre nom.
err-no-vault = Choisissez d'abord le dossier du coffre.
err-wrong-passphrase = Ce n'est pas la phrase secrète qui protège ces clés. Réessayez.
err-passphrase-needed = Ces clés sont protégées par une phrase secrète : saisissez-la, puis déverrouillez.
notice-unlocked = Déverrouillé : { $cases } dossier(s) dans le coffre.
notice-unlocked-new = Nouveau coffre vide déverrouillé. Ouvrez un export pour le remplir.
notice-locked = Verrouillé. Les clés et tous les dossiers déchiffrés ont été effacés de la mémoire.
notice-idle-locked = Verrouillé après { $minutes } minute(s) sans activité. Déverrouillez pour continuer.

## Menu

nav-inbox = Boîte de réception
nav-open = Ouvrir un export…
nav-record = Enregistrer un dossier
nav-outbox = Écrire la boîte d'envoi…
nav-report = Rapport annuel
nav-lock = Verrouiller

## Boîte de réception

inbox-search = Rechercher
inbox-search-hint = mots d'un signalement, message, réponse ou note
inbox-count = { $shown } dossier(s) affiché(s) sur { $total }
inbox-empty = Aucun dossier pour l'instant. Ouvrez un export du serveur pour les faire entrer.
inbox-open-case = Ouvrir ce dossier
inbox-unread = Nouveau
inbox-starred = Marqué
filter-any = Tous
filter-status = Statut
filter-kind = Type
filter-category = Catégorie
filter-overdue = En retard seulement
filter-unread = Non lus seulement
filter-starred = Marqués seulement
filter-sort = Tri
sort-newest = Plus récents d'abord
sort-oldest = Plus anciens d'abord
sort-deadline = Plus urgents d'abord
sort-status = Par statut
sort-id = Par numéro
col-case = Dossier
col-new = Repères
col-kind = Type
col-categories = Catégories
col-status = Statut
col-received = Reçu
col-channel = Canal
col-deadline = Échéance
col-addressed-to = Destinataire

## Échéances

due-acknowledge = accuser réception
due-answer = répondre
due-feedback = informer du suivi
deadline-overdue = EN RETARD : { $what } avant le { $day }
deadline-soon = Bientôt : { $what } avant le { $day }
deadline-ok = { $what } avant le { $day }
deadline-done = Rien à faire
deadline-none = À traiter (sans échéance)

## Dossier

case-title = Dossier { $case }
case-back = Retour à la boîte de réception
case-star = Marqué
case-gone = Ce dossier n'est plus dans le coffre.
field-kind = Type
field-categories = Catégories
field-status = Statut
field-addressed-to = Adressé à
field-received-online = Reçu le
field-recorded-on = Enregistré le
field-received-value = { $day } ({ $channel })
field-when = Quand
field-where = Où
field-people = Personnes concernées
field-contact = Contact
field-deadline = Échéance
field-description = Signalement
case-thread = Échanges
thread-report = { $day } : signalement reçu
thread-message = { $day } : message de la personne
thread-attachments = { $count } pièce(s) jointe(s), listées plus bas
thread-reply = { $day } : réponse du bureau
thread-status = { $day } : statut passé à { $status }
thread-pending = en attente de la prochaine boîte d'envoi
case-attachments = Pièces jointes
case-no-attachments = Aucune pièce jointe.
col-name = Nom
col-type = Type
col-size = Taille
col-in-vault = Dans le coffre
case-save-files = Enregistrer les fichiers du dossier dans un répertoire…
save-warning = Les fichiers envoyés peuvent contenir des métadonnées qui identifient leur auteur (noms, positions GPS, numéros d'appareil) et peuvent être malveillants (macros, failles de visionneuses). Cette application ne les ouvre jamais. Ouvrez-les seulement sur cette machine hors ligne, avec une visionneuse de confiance, et ne les transmettez jamais tels quels.
save-folder-name = Nouveau répertoire où enregistrer
save-confirm = Enregistrer les fichiers
notice-files-saved = { $count } fichier(s) écrit(s) dans { $path }.
err-choose-folder = Saisissez le nom d'un nouveau répertoire.
case-reply = Réponse à la personne
case-send-reply = Enregistrer la réponse
case-save-draft = Garder en brouillon
case-no-online-reporter = Ce dossier est arrivé par un autre canal, sans reçu : personne en ligne ne peut lire de réponse.
err-empty-reply = La réponse est vide.
notice-reply-recorded = Réponse enregistrée ; elle part avec la prochaine boîte d'envoi.
notice-draft-saved = Brouillon gardé dans le coffre.
case-notes = Notes du bureau (gardées dans le coffre, jamais envoyées)
case-save-notes = Enregistrer les notes
notice-notes-saved = Notes enregistrées dans le coffre.
case-new-status = Nouveau statut
case-set-status = Changer le statut
status-meets-acknowledge = Le statut « Accusé de réception » respecte l'échéance d'accusé de réception.
status-meets-answer = Le statut « Accusé de réception » indique que la demande a été reçue.
status-meets-feedback = Un statut de clôture respecte l'échéance d'information du suivi.
notice-status-set = Statut passé à { $status } ; la personne le verra après la prochaine boîte d'envoi.
case-purge = Supprimer ce dossier…
purge-question = Supprimer le dossier { $case } ? Son signalement, { $messages } message(s), { $attachments } pièce(s) jointe(s), les réponses et les notes sont retirés de ce coffre maintenant, et le serveur efface son contenu en important la prochaine boîte d'envoi. C'est définitif.
purge-confirm = Supprimer le dossier { $case }
notice-purged = Le dossier { $case } a été supprimé du coffre ; le serveur l'efface après la prochaine boîte d'envoi.

## Statuts, types, catégories, canaux

status-received = Reçu
status-acknowledged = Accusé de réception
status-preliminary-review = Examen préliminaire
status-investigation = Enquête
status-closed-substantiated = Clos : fondé
status-closed-unsubstantiated = Clos : non fondé
status-closed-referred = Clos : transmis
kind-misconduct = Signalement
kind-advice = Demande de conseil
cat-conduct = Règles générales de conduite
cat-harassment = Harcèlement
cat-outside-activities = Activités extérieures
cat-conflict-of-interest = Conflit d'intérêts
cat-fraud = Fraude
cat-retaliation = Représailles
cat-sexual-exploitation = Exploitation et abus sexuels
cat-other = Autre
cat-gifts = Cadeaux et invitations
cat-elections = Élections et activité politique
cat-hr-grievance = Réclamation relative aux ressources humaines
cat-workplace-dispute = Conflit au travail
channel-online = en ligne
channel-recorded = enregistré à un autre poste
channel-phone = téléphone
channel-post = courrier
channel-meeting = entretien
channel-email = courriel
channel-other = autre

## Ouvrir un export

open-title = Ouvrir un export du serveur
open-intro = Choisissez le fichier d'export apporté de la machine de transfert. Il est vérifié en entier (signature du serveur, chaîne des entrées, signatures du bureau) avant que rien ne soit gardé ; au moindre problème, le coffre reste inchangé.
open-file = Fichier d'export
open-button = Vérifier et ouvrir
open-result = Vérification
err-choose-bundle = Choisissez d'abord le fichier d'export.
notice-opened = L'export a été vérifié et ouvert.
opened-verified = { $path } est signé par la clé du serveur { $key }… et prolonge le journal que ce coffre connaît, jusqu'à l'entrée { $head }.
opened-pinned = C'était le premier export : la clé du serveur est désormais retenue, et les exports suivants devront être signés par elle.
opened-new = Nouveau : { $cases } dossier(s), { $messages } message(s), { $attachments } pièce(s) jointe(s) ; { $delivered } opération(s) du bureau confirmée(s) ; { $purged } dossier(s) supprimé(s).
opened-new-case = Nouveau dossier { $case }
opened-next = La prochaine fois, demandez à la machine de transfert /export?after={ $head }.

## Boîte d'envoi

outbox-title = La boîte d'envoi : ce qui retourne au serveur
outbox-pending = En attente d'envoi : { $replies } réponse(s), { $statuses } changement(s) de statut, { $recorded } dossier(s) enregistré(s), { $purges } suppression(s).
outbox-intro = La boîte d'envoi est signée avec la clé de l'agent. Apportez-la à la machine de transfert et importez-la ; son contenu reste en attente ici jusqu'à ce qu'un export montre que le serveur l'a reçu, on peut donc la réécrire sans risque.
outbox-file = Fichier de la boîte d'envoi
outbox-button = Écrire la boîte d'envoi
err-choose-outbox = Saisissez un nom pour le fichier de la boîte d'envoi.
notice-outbox-written = { $path } écrit : { $replies } réponse(s), { $statuses } changement(s) de statut, { $recorded } dossier(s) enregistré(s), { $purges } suppression(s).

## Enregistrer un dossier

record-title = Enregistrer un dossier arrivé par un autre canal
record-kind = Type
record-categories = Catégories ou sujets
record-channel = Canal
record-received = Reçu le (AAAA-MM-JJ)
record-description = Ce qui a été signalé, avec vos mots
record-issue-receipt = Remettre un reçu, pour que la personne puisse suivre en ligne
record-button = Enregistrer le dossier
err-bad-date = Écrivez la date sous la forme AAAA-MM-JJ, par exemple 2026-03-02.
notice-recorded = Dossier { $case } enregistré.
receipt-title = Reçu du dossier { $case }
receipt-intro = Remettez ce reçu à la personne en privé. Il n'est affiché qu'une fois et n'est gardé nulle part : avec lui, elle pourra lire les réponses et écrire au bureau dès que la prochaine boîte d'envoi sera importée.
receipt-after = Quand la personne l'a, appuyez sur le bouton : le reçu disparaît de cette fenêtre.
receipt-done = Le reçu a été remis

## Rapport annuel

report-title = L'année en chiffres
report-complaints = Signalements reçus
report-multi = Signalements relevant de plusieurs catégories
report-inv-opened = Enquêtes formelles ouvertes
report-inv-closed = Enquêtes formelles closes
report-advice = Demandes de conseil confidentiel
report-median-ack = Délai médian d'accusé de réception (jours)
report-median-close = Délai médian de clôture (jours)
report-substantiated = Signalements clos comme fondés
report-year = Année
report-export-intro = Exportez le tableau (Markdown, ou HTML pour un fichier en .html) et le graphique (SVG) pour le rapport annuel.
report-file = Fichier du rapport
report-export = Exporter le rapport
err-choose-report = Saisissez un nom de fichier pour le rapport, par exemple rapport-2026.md.
notice-report-written = { $paths } écrit(s).

## Sélecteur de fichiers

picker-folder = Répertoire
picker-up = Remonter d'un répertoire
picker-empty = (vide)
