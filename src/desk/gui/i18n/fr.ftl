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
nav-purge = Suppression et conservation…

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
status-effect-same = Le dossier a déjà ce statut.
status-effect-nothing-due = Aucune échéance n'est ouverte pour ce dossier ; le statut sert au suivi et à l'information de la personne.
status-effect-acknowledge = Le fixer maintenant respecte l'échéance d'accusé de réception,
status-effect-feedback = Le fixer maintenant respecte l'échéance d'information du suivi,
status-effect-on-time = dans les délais (échéance le { $day }).
status-effect-late = en retard (l'échéance était le { $day }).
status-effect-feedback-next = L'information du suivi est ensuite due le { $day } au plus tard.
status-effect-answer = Le fixer maintenant répond à la demande de conseil.
status-effect-closes = Un statut de clôture met fin au dossier : plus rien n'est dû.
status-effect-none = Il ne respecte aucune échéance ; reste dû : { $still }.
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
opened-other-channel = { $entries } entrée(s) adressée(s) au canal { $channel } ignorée(s) (dossiers : { $cases }) : scellées pour les clés de ce canal, pas pour celles de ce poste.
opened-other-default = { $entries } entrée(s) adressée(s) au canal par défaut du bureau ignorée(s) (dossiers : { $cases }) : scellées pour ses clés, pas pour celles de ce poste.

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
receipt-print = Imprimer le reçu
print-title = Votre code de reçu
print-intro = Gardez ce code secret, là où vous seul y avez accès. Il vous permet de lire les réponses du bureau et de lui écrire sans donner votre nom.
print-site = Pour suivre votre signalement, ouvrez { $site } (avec Tor Browser si possible, jamais sur un appareil ou un réseau de votre employeur) et saisissez le code.
print-no-site = Pour suivre votre signalement, ouvrez le site de signalement du bureau (adresse : ______________________________) et saisissez le code.
print-lost = Personne au bureau ne peut retrouver ce code : si vous le perdez, faites un nouveau signalement en mentionnant le précédent.
notice-printed = Le reçu a été envoyé à l'imprimante ({ $program }). Récupérez la page à l'imprimante maintenant.
err-no-printer = Cette machine n'a pas de système d'impression (ni lp ni lpr de CUPS) : remettez le reçu depuis l'écran, ou recopiez-le à la main.
err-print-refused = L'imprimante n'a pas pris la page ; remettez le reçu depuis l'écran. Le système d'impression a dit :
err-no-category = Cochez au moins une catégorie ou un thème.
err-empty-description = Écrivez d'abord ce qui a été signalé.

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

## Suppression et conservation

purge-title = Supprimer les dossiers clos et les fragments en attente
purge-closed-intro = Chaque dossier dont le dernier statut est un statut clos, fixé avant le jour indiqué (la durée de conservation du bureau), est listé avec ce qu'il contient ; rien ne part avant votre confirmation. Le serveur efface les dossiers qu'il détient en important la prochaine boîte d'envoi.
purge-closed-before = Clos avant le (AAAA-MM-JJ)
purge-find = Lister les dossiers
purge-col-closed = Clos le
col-messages = Messages
col-attachments = Pièces jointes
purge-closed-question = Supprimer ces { $count } dossier(s), clos avant le { $day } ? Leurs signalements, { $messages } message(s), { $attachments } pièce(s) jointe(s), les réponses et les notes sont retirés de ce coffre maintenant. C'est définitif.
purge-closed-confirm = Supprimer { $count } dossier(s)
notice-none-closed-before = Aucun dossier n'a été clos avant le { $day }.
notice-purged-closed = { $count } dossier(s) supprimé(s) du coffre ; le serveur efface ceux qu'il détient après la prochaine boîte d'envoi.
parts-title = Fragments de pièces jointes en attente de leur message
parts-intro = Des morceaux d'une pièce jointe dont le message n'est pas encore arrivé. Ils sont abandonnés d'eux-mêmes après quelques exports ; abandonnez-les maintenant si l'administrateur du serveur indique que le message ne viendra jamais.
parts-none = Aucun fragment de pièce jointe n'est en attente.
parts-col-drop = Abandonner
parts-col-id = Pièce jointe
parts-col-exports = Exports attendus
parts-drop-one = Abandonner le fragment { $id }
parts-drop = Abandonner les fragments cochés…
parts-question = Abandonner { $count } fragment(s) en attente, { $size } ? Si leur message arrive plus tard, sa pièce jointe manquera.
parts-confirm = Abandonner { $count } fragment(s)
notice-parts-dropped = { $count } fragment(s) en attente abandonné(s).

## Erreurs en détail (après la première phrase d'une erreur)

err-detail = Détail (en anglais) :
err-case-not-found = Il n'y a pas de dossier { $case } dans ce coffre.
err-no-online-reporter = Le dossier { $case } est arrivé par un autre canal, sans reçu : personne en ligne ne peut lire une réponse.
err-missing-key-file = Il n'y a pas de fichier de clé à { $path }.
err-key-file = Le fichier de clé { $path } est inutilisable.
err-key-bad-line = La ligne { $line } n'est pas une clé valide.
err-key-not-a-key-file = Ce n'est pas un fichier de clé candor.
err-openpgp-file = Le fichier de clé OpenPGP { $path } est inutilisable.
err-openpgp = Une clé OpenPGP est inutilisable.
err-random = Le générateur de nombres aléatoires du système a échoué ; rien n'a été modifié.
err-seal = Impossible de chiffrer pour le dossier { $case } ; rien n'a été écrit.
err-decrypt = { $what } ne se déchiffre pas avec les clés du bureau.
err-bad-entry = { $what } est illisible.
err-entry-refused = { $what } a été refusée : le poste ne peut l'attribuer ni au bureau ni à la personne qui signale.
err-over-limit = Il dépasse l'une des limites du poste.
err-case-too-large = Le dossier { $case } atteindrait { $bytes } octets, au-delà de la limite de { $limit }.
err-what-entry = L'entrée { $seq }
err-what-attachment = La pièce jointe { $attachment } du dossier { $case }
err-b-not-a-bundle = Ce fichier n'est pas un export candor.
err-b-truncated = Le fichier est tronqué.
err-b-malformed = Le fichier est endommagé ou a été modifié.
err-b-wrong-signer = Il a été signé par une autre clé que celle attendue.
err-b-old-outbox = Cette boîte d'envoi a été écrite par une version précédente ; écrivez-la de nouveau.
err-b-op-signature = L'opération { $op } n'est pas valablement signée :
err-b-bad-signature = Sa signature n'est pas valide : il a été modifié.
err-b-does-not-extend = Il ne fait pas suite au dernier export ouvert ici (il commence après l'entrée { $after } ; ce coffre connaît les entrées jusqu'à { $seen }).
err-b-server-key-changed = Il a été signé par une autre clé de serveur que celle retenue au premier export.
err-b-unreadable = Le fichier est illisible :
err-log-out-of-sequence = L'entrée { $seq } n'est pas à sa place (l'entrée { $expected } était attendue).
err-log-broken-chain = L'entrée { $seq } ne fait pas suite à la précédente : le journal a été modifié.
err-log-body-mismatch = Le contenu de l'entrée { $seq } ne correspond pas à son empreinte : il a été modifié.
err-log-head-mismatch = La tête signée ne correspond pas aux entrées.
err-auth-unsigned = elle n'est signée par aucune clé d'agent.
err-auth-unknown-signer = elle est signée par une clé qui n'est pas une clé de signature du bureau.
err-auth-bad-signature = sa signature ne correspond pas à son contenu.
err-auth-no-mac = elle ne porte pas le code d'authentification de la personne qui signale.
err-auth-bad-mac = son code d'authentification ne correspond pas.
err-vault-not-found = Il n'y a pas de coffre à { $path }.
err-vault-unreadable = { $path } n'est pas un coffre que cette version sait lire.
err-vault-decrypt = Le coffre de { $path } ne se déchiffre pas : est-ce bien la clé du bureau avec laquelle il a été créé ?
err-case-file-mismatch = Le fichier du dossier { $case } n'est pas celui que nomme l'index du coffre (échangé, ancien ou endommagé) ; restaurez le coffre depuis une sauvegarde.
err-io = { $path } : { $reason }
err-io-not-found = ce fichier ou ce répertoire n'existe pas.
err-io-permission = accès refusé.
err-io-exists = il existe déjà.
err-io-full = le disque est plein.
err-io-is-folder = c'est un répertoire, pas un fichier.
err-io-not-folder = une partie du chemin n'est pas un répertoire.
err-io-damaged = le fichier est endommagé ou tronqué.
err-io-other = il n'a pas pu être lu ou écrit.

## Opérations longues (affichées en bas pendant qu'elles durent)

busy-unlocking = Déverrouillage : dérivation de la clé à partir de la phrase secrète et déchiffrement des dossiers…
busy-opening = Vérification et ouverture de l'export…
busy-writing-outbox = Écriture de la boîte d'envoi…
busy-exporting-report = Export du rapport…
busy-printing = Envoi du reçu à l'imprimante…
err-worker-stopped = L'opération s'est arrêtée de façon inattendue ; elle n'a pas modifié le coffre. Réessayez, ou lancez la même commande dans un terminal pour en savoir plus.
busy-waiting-vault = En attente du coffre : une commande candor-desk dans un terminal l'utilise. La fenêtre se déverrouille dès qu'elle se termine.
